import { defineConfig } from '@playwright/test';
import { E2E, FORMATS, targetOf } from './e2e/env';

// Proven recipe for this project: production server (`next start`, needs a prior `next build`),
// Debian Chromium, 127.0.0.1 everywhere, one worker (the servers and Chromium share two cores).
export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  globalSetup: './e2e/global-setup.ts',
  reporter: process.env.CI ? [['list'], ['junit', { outputFile: 'test-results/junit.xml' }]] : 'list',
  use: {
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
  // every spec against a v1 server and an init-v2 server of the same build (projects run one after the other)
  projects: FORMATS.map((format) => ({ name: format, metadata: { format }, use: { baseURL: targetOf(format).origin } })),
  webServer: FORMATS.map((format) => {
    const t = targetOf(format);
    return {
      command: `node_modules/.bin/next start -H 127.0.0.1 -p ${t.port}`,
      url: `${t.origin}/api/statsig/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        NEXT_TELEMETRY_DISABLED: '1',
        // unset on the v1 server: the default is what it checks
        ...(format === 'v1' ? {} : { FIRSTLIGHT_BOOTSTRAP_FORMAT: format }),
        FIRSTLIGHT_BOOTSTRAP_TOKEN: E2E.bootstrapToken,
        FIRSTLIGHT_TRUSTED_IP_HEADER: 'x-forwarded-for',
        FIRSTLIGHT_EVENT_LOG: t.eventLog,
        FIRSTLIGHT_EVENT_SPOOL_DIR: t.spoolDir,
        FIRSTLIGHT_USER_ECHO: 'minimal',
        FIRSTLIGHT_FLUSH_INTERVAL_MS: '200',
        // `next start` runs with NODE_ENV=production, where forced variants are off unless enabled
        FIRSTLIGHT_FORCE_KEY: E2E.forceKey,
        FIRSTLIGHT_FORCE_IN_PRODUCTION: 'true',
        FIRSTLIGHT_EXPLORER_TOKEN: E2E.explorerToken,
      },
      stdout: 'ignore' as const,
      stderr: 'pipe' as const,
    };
  }),
});
