import { resolve } from 'node:path';

/**
 * The bootstrap formats the suite runs against: one Playwright project and one server of the same
 * build per format (FIRSTLIGHT_BOOTSTRAP_FORMAT; the v1 server leaves it unset, so it also checks the default).
 */
export const FORMATS = ['v1', 'init-v2'] as const;
export type E2EFormat = (typeof FORMATS)[number];

const basePort = Number(process.env.E2E_PORT ?? 3123);

/** The server one project runs against (and the consent-mode server its consent spec starts). */
export interface E2ETarget {
  readonly format: E2EFormat;
  readonly port: number;
  readonly origin: string;
  /** FIRSTLIGHT_EVENT_LOG of that server: each server its own, so per-device counts stay exact. */
  readonly eventLog: string;
  /**
   * FIRSTLIGHT_EVENT_SPOOL_DIR of that server: not .env's var/spool, which two servers must not share (a
   * spool has one writer), and not under test-results, which Playwright empties after the servers started.
   */
  readonly spoolDir: string;
  /** Port of the consent-mode server e2e/consent.spec.ts starts for this format. */
  readonly consentPort: number;
}

/** Ports from E2E_PORT (default 3123) up: v1 on E2E_PORT (consent +1), init-v2 on +2 (consent +3). */
export function targetOf(format: E2EFormat): E2ETarget {
  const i = FORMATS.indexOf(format);
  if (i < 0) throw new Error(`no e2e target for format ${String(format)}`);
  const port = basePort + 2 * i;
  return {
    format,
    port,
    origin: `http://127.0.0.1:${port}`,
    eventLog: resolve('test-results', `e2e-events-${format}.jsonl`),
    spoolDir: resolve('var', `e2e-spool-${format}`),
    consentPort: port + 1,
  };
}

/** Settings shared by playwright.config.ts (the servers it starts) and the specs. */
export const E2E = {
  bootstrapToken: 'e2e-bootstrap-token',
  serverSecret: 'secret-demo',
  clientKey: 'client-firstlight-demo',
  /** FIRSTLIGHT_FORCE_KEY of the servers under test: forced variants (firstlight/testing) are signed with it. */
  forceKey: 'e2e-forced-variants-key-0123456789abcdef',
  /** FIRSTLIGHT_EXPLORER_TOKEN of the servers under test. */
  explorerToken: 'e2e-explorer-token-0123456789',
} as const;
