/**
 * Flush on SIGTERM/SIGINT. `next start` installs its own handlers, which close the server and exit at
 * once (exit 143): buffered events would be lost. This puts the event flush in front of them: on the
 * first signal, the pipeline stops accepting (event routes answer 503, which the SDK retries elsewhere),
 * delivers what it can within the deadline, keeps the rest in the spool, and then hands over to the
 * handlers that were there before (Next's), or exits itself when there were none
 * (NEXT_MANUAL_SIG_HANDLE set). A second signal exits at once.
 */
import { nextConfig } from './config';
import { getStatsig, peekStatsig } from './instance';

type Handler = (signal: NodeJS.Signals) => void;

export interface Drainable {
  shutdown(timeoutMs: number): Promise<{ readonly complete: boolean; readonly pending: number }>;
}

export interface ShutdownOptions {
  readonly deadlineMs: number;
  /** The instance to drain, or null when none was created (nothing to flush). */
  readonly instance: () => Promise<Drainable | null>;
  readonly log: (line: string) => void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
const installed = Symbol.for('firstlight.shutdown.installed');

export function installShutdownHandler(opts: ShutdownOptions): void {
  const g = globalThis as { [installed]?: boolean };
  if (g[installed]) return;
  g[installed] = true;
  const previous = new Map<NodeJS.Signals, Handler[]>();
  for (const sig of SIGNALS) {
    previous.set(sig, process.listeners(sig) as Handler[]);
    process.removeAllListeners(sig);
  }
  let draining = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (draining) process.exit(sig === 'SIGINT' ? 130 : 143);
    draining = true;
    void drain(opts).finally(() => {
      const handlers = previous.get(sig) ?? [];
      if (handlers.length === 0) process.exit(sig === 'SIGINT' ? 130 : 143);
      for (const h of handlers) h(sig);
    });
  };
  for (const sig of SIGNALS) process.on(sig, onSignal);
}

async function drain(opts: ShutdownOptions): Promise<void> {
  const started = Date.now();
  try {
    const instance = await opts.instance();
    if (!instance) return;
    const r = await instance.shutdown(opts.deadlineMs);
    opts.log(`[firstlight] shutdown: events ${r.complete ? 'all delivered' : `${r.pending} not delivered and not spooled`} in ${Date.now() - started} ms`);
  } catch (err) {
    opts.log(`[firstlight] shutdown: flushing events failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * For instrumentation.ts: starts the process-wide instance now (so events a previous process spooled are
 * delivered at start, not on the first request) and drains it on SIGTERM/SIGINT within
 * FIRSTLIGHT_SHUTDOWN_TIMEOUT_MS.
 */
export function flushEventsOnShutdown(): void {
  installShutdownHandler({ deadlineMs: nextConfig().shutdownTimeoutMs, instance: () => peekStatsig(), log: (line) => console.log(line) });
  getStatsig().catch(() => {});
}
