import { defineConfig } from '@playwright/test';
import { E2E } from './e2e/env';

// Proven recipe for this project: production server (`next start`, needs a prior `next build`),
// Debian Chromium, 127.0.0.1 everywhere, one worker (the server and Chromium share two cores).
export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  globalSetup: './e2e/global-setup.ts',
  reporter: process.env.CI ? [['list'], ['junit', { outputFile: 'test-results/junit.xml' }]] : 'list',
  use: {
    baseURL: E2E.origin,
    browserName: 'chromium',
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    command: `node_modules/.bin/next start -H 127.0.0.1 -p ${E2E.port}`,
    url: `${E2E.origin}/api/statsig/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      NEXT_TELEMETRY_DISABLED: '1',
      FIRSTLIGHT_BOOTSTRAP_TOKEN: E2E.bootstrapToken,
      FIRSTLIGHT_TRUSTED_IP_HEADER: 'x-forwarded-for',
      FIRSTLIGHT_EVENT_LOG: E2E.eventLog,
      FIRSTLIGHT_USER_ECHO: 'minimal',
      FIRSTLIGHT_FLUSH_INTERVAL_MS: '200',
      // `next start` runs with NODE_ENV=production, where forced variants are off unless enabled
      FIRSTLIGHT_FORCE_KEY: E2E.forceKey,
      FIRSTLIGHT_FORCE_IN_PRODUCTION: 'true',
      FIRSTLIGHT_EXPLORER_TOKEN: E2E.explorerToken,
    },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
