/**
 * The default instance (`import firstlight from 'firstlight'`), in statsig-node's style:
 * `await firstlight.initialize(secret, options)` once, then call it anywhere. Until then every check
 * answers its default with reason `Uninitialized`. Nothing is created or read at import time.
 *
 * Its methods are derived from `Statsig.prototype`, not written out: a method added to `Statsig`
 * is on the default instance too (test/server/singleton.test.ts checks every one delegates).
 */
import { Statsig } from './statsig';
import type { StatsigOptions } from './options';
import type { InitializeDetails } from './runtime';
import type { FlushResult } from './events/event-logger';

/** What the default instance does itself instead of delegating: it owns the instance's life cycle. */
interface Lifecycle {
  /** Creates and initializes the default instance. A second call returns the first call's result. */
  initialize(serverSecret: string, options?: StatsigOptions): Promise<InitializeDetails>;
  /** Shuts the default instance down; a later initialize() starts a new one. */
  shutdown(timeoutMs?: number): Promise<FlushResult>;
  /** The instance behind the default export (a no-op instance before initialize). */
  readonly instance: Statsig;
}

type OwnMethods = keyof Lifecycle;

/** Every public method of `Statsig` (private `#` members are not in `keyof`), plus the life cycle. */
export type DefaultInstance = Omit<Statsig, OwnMethods> & Lifecycle;

/** Names of Statsig's public methods, read from the class itself. */
export function statsigMethodNames(): string[] {
  return Object.getOwnPropertyNames(Statsig.prototype).filter((name) => {
    if (name === 'constructor') return false;
    const d = Object.getOwnPropertyDescriptor(Statsig.prototype, name);
    return typeof d?.value === 'function';
  });
}

function createDefaultInstance(): DefaultInstance {
  let current: Statsig | null = null;
  let placeholder: Statsig | null = null;
  let init: Promise<InitializeDetails> | null = null;

  const instance = (): Statsig => {
    if (current) return current;
    placeholder ??= new Statsig('', { localMode: true, disableAllLogging: true, initializeSources: [], configSyncSources: [] });
    return placeholder;
  };

  const lifecycle: Lifecycle = {
    initialize(serverSecret: string, options?: StatsigOptions): Promise<InitializeDetails> {
      if (init) return init;
      // bad options throw here, at initialize, before anything starts
      const created = new Statsig(serverSecret, options);
      current = created;
      init = created.initialize().catch((err: unknown) => {
        current = null;
        init = null;
        throw err;
      });
      return init;
    },
    async shutdown(timeoutMs?: number): Promise<FlushResult> {
      const stopping = current;
      current = null;
      init = null;
      return stopping ? stopping.shutdown(timeoutMs) : { complete: true, pending: 0 };
    },
    get instance() {
      return instance();
    },
  };

  const target: Record<string, unknown> = {};
  for (const name of statsigMethodNames()) {
    if (name in lifecycle) continue;
    // closures, not `this`: `const { checkGate } = firstlight` keeps working
    target[name] = (...args: unknown[]) => (instance() as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
  }
  Object.defineProperties(target, Object.getOwnPropertyDescriptors(lifecycle));
  return Object.freeze(target) as unknown as DefaultInstance;
}

export const firstlight: DefaultInstance = createDefaultInstance();
