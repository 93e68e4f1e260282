/**
 * For serverless handlers: `after(flushAfter(statsig))` in a Next.js route or server action delivers the
 * request's events once the response has been sent. No Next.js import: it is just a function.
 */
export interface Flushable {
  flush(timeoutMs?: number): Promise<unknown>;
}

export function flushAfter(target: Flushable, timeoutMs = 2_000): () => Promise<void> {
  return async () => {
    await target.flush(timeoutMs);
  };
}
