import { resolve } from 'node:path';

const port = Number(process.env.E2E_PORT ?? 3123);

/** Settings shared by playwright.config.ts (the server it starts) and the specs. */
export const E2E = {
  port,
  origin: `http://127.0.0.1:${port}`,
  bootstrapToken: 'e2e-bootstrap-token',
  serverSecret: 'secret-demo',
  clientKey: 'client-firstlight-demo',
  /** FIRSTLIGHT_FORCE_KEY of the server under test: forced variants (firstlight/testing) are signed with it. */
  forceKey: 'e2e-forced-variants-key-0123456789abcdef',
  /** FIRSTLIGHT_EXPLORER_TOKEN of the server under test. */
  explorerToken: 'e2e-explorer-token-0123456789',
  eventLog: resolve('test-results', 'e2e-events.jsonl'),
} as const;
