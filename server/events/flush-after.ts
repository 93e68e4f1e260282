/**
 * For serverless handlers: `after(flushAfter(statsig))` in a Next.js route or server action delivers the
 * request's events once the response has been sent. What cannot be delivered within `timeoutMs` (the
 * sink is slow or down) is made durable in the spool (`eventSpoolDir`, e.g. under /tmp) before the
 * invocation ends, and the next invocation delivers it: its instance opens the same spool at start.
 * No Next.js import: it is just a function.
 */
export interface Flushable {
  flush(timeoutMs?: number): Promise<{ readonly complete: boolean } | unknown>;
  /** Present on Statsig: waits until what is left is in the spool. */
  persistEvents?(timeoutMs?: number): Promise<boolean>;
}

/** How long, after the flush timed out, the spool may take to hold the rest. */
const PERSIST_MS = 1_000;

export function flushAfter(target: Flushable, timeoutMs = 2_000): () => Promise<void> {
  return async () => {
    const r = await target.flush(timeoutMs);
    const complete = typeof r === 'object' && r !== null && (r as { complete?: unknown }).complete === true;
    if (!complete && target.persistEvents) await target.persistEvents(PERSIST_MS);
  };
}
