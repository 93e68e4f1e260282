/**
 * Start-up and periodic sync of specs over an ordered list of sources. Each round tries the sources in
 * order until one answers well; a round in which every source failed backs off (exponential, jittered)
 * so a struggling upstream is not hammered, and the specs in force simply stay. Every outcome is
 * counted per source and the last failure is kept for health checks.
 */
import { jittered } from '../net/backoff';
import type { Logger } from '../logger';
import type { SpecSourceName } from '../options';
import type { SpecPayload, SpecSource } from '../sources/spec-source';
import type { ApplyOutcome, SpecStore } from './spec-store';

/** The longest pause between rounds while failing is this many sync intervals (and at most 5 minutes). */
const MAX_BACKOFF_INTERVALS = 16;
const MAX_BACKOFF_MS = 5 * 60_000;

export interface SourceCounters {
  attempts: number;
  applied: number;
  noUpdates: number;
  unchanged: number;
  stale: number;
  rejected: number;
  failed: number;
}

export interface SyncError {
  readonly source: SpecSourceName;
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

export interface SpecSyncHealth {
  readonly lastError: SyncError | null;
  readonly consecutiveFailures: number;
  readonly rounds: number;
  readonly sources: Readonly<Partial<Record<SpecSourceName, Readonly<SourceCounters>>>>;
}

export interface SpecSyncConfig {
  readonly store: SpecStore;
  readonly sources: ReadonlyMap<SpecSourceName, SpecSource>;
  readonly initializeSources: readonly SpecSourceName[];
  readonly configSyncSources: readonly SpecSourceName[];
  /** When set, decides each round's order (e.g. follower vs writer of a shared store). */
  readonly syncOrder?: () => readonly SpecSourceName[];
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Called after a payload replaced the specs in force. Must not throw (errors are logged). */
  readonly onApplied: (payload: SpecPayload, outcome: Extract<ApplyOutcome, { kind: 'applied' }>) => void;
}

export class SpecSync {
  readonly #c: SpecSyncConfig;
  readonly #abort = new AbortController();
  readonly #counters = new Map<SpecSourceName, SourceCounters>();
  readonly #unwatch: (() => void)[] = [];
  #lastError: SyncError | null = null;
  #consecutiveFailures = 0;
  #rounds = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | null = null;
  #again = false;
  #started = false;
  #stopped = false;

  constructor(config: SpecSyncConfig) {
    this.#c = config;
  }

  /** Tries the initialize sources in order until specs are in force. Resolves true when they are. */
  async initialize(): Promise<boolean> {
    for (const name of this.#c.initializeSources) {
      if (this.#stopped) break;
      const outcome = await this.#attempt(name);
      if (outcome === 'ok' && this.#c.store.current()) return true;
    }
    return this.#c.store.current() !== null;
  }

  /** Starts periodic sync (no-op without sync sources) and listens to sources that announce changes. */
  start(): void {
    if (this.#started || this.#stopped || this.#c.configSyncSources.length === 0) return;
    this.#started = true;
    for (const name of this.#c.configSyncSources) {
      const unwatch = this.#c.sources.get(name)?.watch?.(() => void this.syncNow());
      if (unwatch) this.#unwatch.push(unwatch);
    }
    this.#schedule(jittered(this.#c.intervalMs));
  }

  /**
   * Runs one sync round now (or joins the running one and queues another). Resolves true when a source
   * answered well.
   */
  syncNow(): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#round().finally(() => {
      this.#running = null;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        void this.syncNow();
      }
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const u of this.#unwatch.splice(0)) u();
    this.#abort.abort();
    await this.#running?.catch(() => {});
  }

  health(): SpecSyncHealth {
    const sources: Partial<Record<SpecSourceName, SourceCounters>> = {};
    for (const [name, c] of this.#counters) sources[name] = { ...c };
    return {
      lastError: this.#lastError,
      consecutiveFailures: this.#consecutiveFailures,
      rounds: this.#rounds,
      sources,
    };
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      void this.syncNow().finally(() => this.#schedule(this.#nextDelay()));
    }, delayMs);
    this.#timer.unref();
  }

  #nextDelay(): number {
    const interval = this.#c.intervalMs;
    if (this.#consecutiveFailures === 0) return jittered(interval);
    const cap = Math.min(interval * MAX_BACKOFF_INTERVALS, Math.max(interval, MAX_BACKOFF_MS));
    return jittered(Math.min(cap, interval * 2 ** this.#consecutiveFailures), 0.25);
  }

  async #round(): Promise<boolean> {
    this.#rounds++;
    const order = this.#c.syncOrder?.() ?? this.#c.configSyncSources;
    for (const name of order) {
      if (this.#stopped) return false;
      if ((await this.#attempt(name)) === 'ok') {
        this.#consecutiveFailures = 0;
        return true;
      }
    }
    this.#consecutiveFailures++;
    return false;
  }

  /** One load-and-judge from one source. 'ok' = the source answered and nothing was wrong with it. */
  async #attempt(name: SpecSourceName): Promise<'ok' | 'failed'> {
    const source = this.#c.sources.get(name);
    if (!source) return 'failed';
    const counters = this.#countersOf(name);
    counters.attempts++;
    let payload: SpecPayload | null;
    try {
      payload = await source.load(this.#c.store.lcut, this.#abort.signal);
    } catch (err) {
      counters.failed++;
      this.#fail(name, err);
      return 'failed';
    }
    if (payload === null) {
      counters.unchanged++;
      return 'ok';
    }
    const outcome = this.#c.store.apply(payload);
    switch (outcome.kind) {
      case 'applied':
        counters.applied++;
        try {
          this.#c.onApplied(payload, outcome);
        } catch (err) {
          this.#c.logger.error('rules-updated handling failed', err);
        }
        return 'ok';
      case 'noUpdates':
        counters.noUpdates++;
        // has_updates:false before any specs is no answer at all
        return this.#c.store.current() ? 'ok' : 'failed';
      case 'unchanged':
        counters.unchanged++;
        return 'ok';
      case 'stale':
        counters.stale++;
        this.#fail(name, Object.assign(new Error(`specs from ${name} have time ${outcome.time}, older than the specs in force (${this.#c.store.lcut}); kept the specs in force`), { code: 'FL_STALE_SPECS' }));
        return 'failed';
      case 'rejected':
        counters.rejected++;
        this.#fail(name, outcome.error);
        return 'failed';
    }
  }

  #fail(source: SpecSourceName, err: unknown): void {
    const e = err as { code?: unknown; message?: unknown };
    this.#lastError = {
      source,
      code: typeof e?.code === 'string' ? e.code : 'FL_ERR',
      message: typeof e?.message === 'string' ? e.message : String(err),
      at: Date.now(),
    };
    if (!this.#stopped) this.#c.logger.warn(`spec sync from ${source} failed: ${this.#lastError.message}`);
  }

  #countersOf(name: SpecSourceName): SourceCounters {
    let c = this.#counters.get(name);
    if (!c) {
      c = { attempts: 0, applied: 0, noUpdates: 0, unchanged: 0, stale: 0, rejected: 0, failed: 0 };
      this.#counters.set(name, c);
    }
    return c;
  }
}
