/**
 * Forced variants for tests and local development, per browser: a signed token in the
 * `firstlight_force` cookie or the `x-firstlight-force` header (firstlight/testing sets either) names
 * gate values, experiment groups, config values or layer parameters; the request's evaluation — and so
 * the first HTML and the bootstrap — applies them (reason LocalOverride).
 *
 * Off unless FIRSTLIGHT_FORCE_KEY is set (at least 32 characters, the HMAC key the tokens are signed
 * with), and off when NODE_ENV is production unless FIRSTLIGHT_FORCE_IN_PRODUCTION=true. A token that is
 * refused (forged, expired, oversized, malformed, or sent while the feature is off) is ignored and its
 * reason logged once per process; the token itself is never logged.
 */
import { FORCE_COOKIE, FORCE_HEADER, type ForcedVariantsRequest } from '../../lib/forced-variants';
import { verifyForcedVariants } from '../forced/forced-token';
import { forcedVariantsConfig, type ForcedVariantsConfig } from './forced-config';
import { consoleLogger, type Logger } from '../logger';
import type { CookieReader, HeaderReader } from './user';


/** Reads, verifies and logs; one instance per process (the "logged once" memory). */
export class ForcedVariantsReader {
  readonly #logged = new Set<string>();
  readonly #config: () => ForcedVariantsConfig;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(opts: { config?: () => ForcedVariantsConfig; logger?: Logger; now?: () => number } = {}) {
    this.#config = opts.config ?? forcedVariantsConfig;
    this.#logger = opts.logger ?? consoleLogger;
    this.#now = opts.now ?? Date.now;
  }

  /** The request's forced variants, or undefined (none sent, or refused). */
  read(headers: HeaderReader, cookies: CookieReader): ForcedVariantsRequest | undefined {
    const fromHeader = headers.get(FORCE_HEADER);
    const token = fromHeader ?? cookies.get(FORCE_COOKIE)?.value;
    if (token === undefined || token === '') return undefined;
    const where = fromHeader !== null ? `the ${FORCE_HEADER} header` : `the ${FORCE_COOKIE} cookie`;
    const cfg = this.#config();
    if (cfg.key === null) {
      this.logOnce(`off:${where}`, `forced variants in ${where} ignored: forced variants are off (${cfg.off})`);
      return undefined;
    }
    const r = verifyForcedVariants(token, cfg.key, this.#now());
    if (!r.ok) {
      this.logOnce(`${r.reason}:${where}`, `forced variants in ${where} ignored: ${r.reason} token`);
      return undefined;
    }
    const { v: _v, exp: _exp, ...request } = r.payload;
    return request;
  }

  /** Logs `message` the first time `key` is seen (bounded: a flood of distinct keys cannot grow memory). */
  logOnce(key: string, message: string): void {
    if (this.#logged.has(key) || this.#logged.size >= 1000) return;
    this.#logged.add(key);
    this.#logger.warn(message);
  }
}

export const forcedVariantsReader = new ForcedVariantsReader();
