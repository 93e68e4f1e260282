/**
 * Remembers the last problem an instance met (for health) and logs each distinct problem at most once a
 * minute, so a bad call in a hot path cannot flood the log.
 */
import type { Logger } from './logger';

export interface RecordedError {
  readonly where: string;
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

const WARN_EVERY_MS = 60_000;
const MAX_REMEMBERED = 1_000;

export class ErrorRecorder {
  readonly #logger: Logger;
  readonly #warnedAt = new Map<string, number>();
  #last: RecordedError | null = null;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  get last(): RecordedError | null {
    return this.#last;
  }

  record(where: string, err: unknown): void {
    const e = err as { code?: unknown; message?: unknown };
    const code = typeof e?.code === 'string' ? e.code : 'FL_ERR';
    const message = typeof e?.message === 'string' ? e.message : String(err);
    const now = Date.now();
    this.#last = { where, code, message, at: now };
    const key = `${where}|${message}`;
    if ((this.#warnedAt.get(key) ?? -Infinity) + WARN_EVERY_MS > now) return;
    if (this.#warnedAt.size >= MAX_REMEMBERED) this.#warnedAt.clear();
    this.#warnedAt.set(key, now);
    this.#logger.warn(`${where}: ${message}`);
  }
}
