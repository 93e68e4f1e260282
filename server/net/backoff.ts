/** Retry delays: exponential with full jitter (a random delay in [0, min(cap, base·2^attempt)]). */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

export function getRetryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** A delay that jitters ±`fraction` around `ms`, so a fleet started together does not poll in lockstep. */
export function jittered(ms: number, fraction = 0.1, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 - fraction + 2 * fraction * random())));
}

/**
 * Resolves after `ms`, or at once when `signal` aborts. Never rejects. Background loops pass
 * `unref: true` so an idle timer never keeps the process alive.
 */
export function sleep(ms: number, signal?: AbortSignal, unref = false): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    if (unref) timer.unref?.();
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
