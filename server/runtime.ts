/**
 * The composition root of one instance: builds the spec sources, the spec store and its sync loop, the
 * ID-list sync, the HTTP client and the event pipeline from normalised options, and owns their
 * start-up and shutdown order. No evaluation logic lives here.
 */
import { HttpClient } from './net/http-client';
import type { NormalizedOptions, SpecSourceName } from './options';
import { BootstrapSource } from './sources/bootstrap-source';
import { DataStoreSource } from './sources/data-store-source';
import { FileSource } from './sources/file-source';
import { GrpcStreamSource } from './sources/grpc-stream-source';
import { HttpSource } from './sources/http-source';
import type { SpecSource } from './sources/spec-source';
import { dataStoreKey } from './store/data-store';
import { SpecStore } from './sync/spec-store';
import { SpecSync } from './sync/spec-sync';
import { IdListSync } from './idlists/id-list-sync';
import { EventLogger } from './events/event-logger';
import type { EventSink } from './events/event-sink';
import { MissingPackageError } from '../lib/errors';
import { JsonlFileSink } from './events/sinks/jsonl-file-sink';
import { StatsigLogEventSink } from './events/sinks/statsig-log-event-sink';

export interface InitializeDetails {
  /** true when specs are in force. */
  readonly success: boolean;
  /** The source the specs in force came from. */
  readonly source: SpecSourceName | null;
  readonly durationMs: number;
  /** true when initTimeoutMs passed before a source answered (sync goes on in the background). */
  readonly timedOut: boolean;
  readonly error: string | null;
}

export class Runtime {
  readonly options: NormalizedOptions;
  readonly store: SpecStore;
  readonly specSync: SpecSync;
  readonly idListSync: IdListSync | null;
  readonly events: EventLogger;
  readonly http: HttpClient | null;
  /** The gRPC spec stream (proxyConfigs.download_config_specs.protocol 'grpc_websocket'), else null. */
  readonly specStream: GrpcStreamSource | null = null;
  #storeReady: Promise<void> | null = null;
  readonly #sinks: readonly EventSink[];

  constructor(options: NormalizedOptions) {
    this.options = options;
    const o = options;
    const needsNetwork =
      !o.localMode &&
      o.serverSecret.length > 0 &&
      (o.initializeSources.includes('network') || o.configSyncSources.includes('network') || o.eventSinks.includes('statsig'));
    // local mode never creates a dispatcher, so it cannot open a connection
    this.http = needsNetwork ? new HttpClient(o.serverSecret, o.http) : null;
    this.store = new SpecStore(o.serverSecret);

    const sources = new Map<SpecSourceName, SpecSource>();
    const used = new Set([...o.initializeSources, ...o.configSyncSources]);
    if (used.has('bootstrap') && o.bootstrapValues) sources.set('bootstrap', new BootstrapSource(o.bootstrapValues));
    if (used.has('file') && o.specsFile) sources.set('file', new FileSource(o.specsFile, o.idListsFile));
    if (used.has('dataStore') && o.dataStore) sources.set('dataStore', new DataStoreSource(o.dataStore, o.serverSecret));
    if (used.has('network') && this.http) {
      const http = new HttpSource(this.http, o.urls.downloadConfigSpecs, o.serverSecret, o.fallbackUrls.downloadConfigSpecs);
      if (o.dcsProxy?.protocol === 'grpc_websocket') {
        // streamed from the proxy; HTTP polling only while the stream has failed over
        this.specStream = new GrpcStreamSource({ config: o.dcsProxy, serverSecret: o.serverSecret, fallback: http, logger: o.logger });
        sources.set('network', this.specStream);
      } else sources.set('network', http);
    }

    this.specSync = new SpecSync({
      store: this.store,
      sources,
      initializeSources: o.initializeSources,
      configSyncSources: o.configSyncSources,
      ...(o.adaptiveSyncOrder ? { syncOrder: () => this.#syncOrder() } : {}),
      intervalMs: o.rulesetsSyncIntervalMs,
      logger: o.logger,
      onApplied: (payload, outcome) => {
        if (payload.origin === 'network' && this.#isStoreWriter()) {
          o.dataStore!
            .set(dataStoreKey(o.serverSecret, '/v1/download_config_specs'), payload.text, outcome.lcut)
            .catch((err: unknown) => o.logger.warn('writing specs to the data store failed', err));
        }
        o.onRulesUpdated?.({ lcut: outcome.lcut, source: payload.origin, payload: payload.text });
      },
    });

    this.idListSync =
      this.http && !o.localMode
        ? new IdListSync({
            client: this.http,
            url: `${o.urls.getIdLists}/get_id_lists`,
            fallbackUrl: o.fallbackUrls.getIdLists === null ? null : `${o.fallbackUrls.getIdLists}/get_id_lists`,
            intervalMs: o.idListsSyncIntervalMs,
            logger: o.logger,
            onLists: (lists) => this.store.setIdLists(lists),
          })
        : null;

    this.#sinks = o.disableAllLogging ? [] : o.eventSinks.map((s) => this.#sink(s));
    this.events = new EventLogger({
      sinks: this.#sinks,
      batchSize: o.eventQueueSize,
      flushIntervalMs: o.flushIntervalMs,
      maxQueuedEvents: o.retryQueueSize * o.eventQueueSize,
      maxQueuedBytes: o.eventQueueMaxBytes,
      spool: o.eventSpoolDir === null ? null : { dir: o.eventSpoolDir, maxBytes: o.eventSpoolMaxBytes },
      retryBackoffMs: o.logEventRetryBackoffMs,
      retryMaxBackoffMs: o.logEventRetryMaxBackoffMs,
      dedupeMaxKeys: o.exposureDedupeMaxKeys,
      dedupeWindowMs: o.exposureDedupeWindowMs,
      disabled: o.disableAllLogging,
      logger: o.logger,
    });
  }

  /** Loads specs (and ID lists) from the initialize sources within initTimeoutMs, then starts syncing. */
  async initialize(): Promise<InitializeDetails> {
    const started = Date.now();
    const o = this.options;
    let error: string | null = null;
    let fatal: unknown = null;
    // a missing optional package is a set-up error, not an outage: initialize() rejects with it
    await Promise.all(this.#sinks.map((sink) => sink.open?.()));
    const work = (async () => {
      if (o.dataStore) {
        this.#storeReady ??= o.dataStore.initialize();
        await this.#storeReady.catch((err: unknown) => {
          error = `data store initialize failed: ${(err as Error)?.message ?? String(err)}`;
          o.logger.warn(error);
          if (err instanceof MissingPackageError) {
            fatal = err;
            this.#storeReady = null;
          }
        });
      }
      await Promise.all([this.specSync.initialize(), this.idListSync?.syncNow()]);
    })();
    let timedOut = false;
    if (o.initTimeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          timedOut = true;
          resolve();
        }, o.initTimeoutMs);
      });
      await Promise.race([work, timeout]);
      clearTimeout(timer);
    } else {
      await work;
    }
    if (fatal !== null) throw fatal;
    this.specSync.start();
    this.idListSync?.start();
    const success = this.store.current() !== null;
    if (!success && error === null) error = this.specSync.health().lastError?.message ?? (timedOut ? 'initialize timed out' : 'no source yielded specs');
    return { success, source: this.store.origin, durationMs: Date.now() - started, timedOut: timedOut && !success, error };
  }

  async shutdown(timeoutMs: number): Promise<void> {
    await Promise.all([this.specSync.stop(), this.idListSync?.stop()]);
    await this.specStream?.close();
    await this.events.shutdown(timeoutMs);
    await this.http?.close();
    await this.options.dataStore?.shutdown().catch(() => {});
  }

  /** Followers of the shared store read it first; its writer asks the network first. */
  #syncOrder(): readonly SpecSourceName[] {
    const follower = this.options.dataStore?.supportsPollingUpdatesFor?.('/v1/download_config_specs') === true;
    const first: SpecSourceName[] = follower ? ['dataStore', 'network'] : ['network', 'dataStore'];
    return [...first, ...this.options.configSyncSources.filter((s) => !first.includes(s))];
  }

  /** The instance that fetches from the network writes what it fetched for its followers. */
  #isStoreWriter(): boolean {
    const store = this.options.dataStore;
    return store !== null && store.supportsPollingUpdatesFor?.('/v1/download_config_specs') !== true;
  }

  #sink(s: NormalizedOptions['eventSinks'][number]): EventSink {
    // normalizeOptions refuses 'file' without eventLogFile
    if (s === 'file') return new JsonlFileSink(this.options.eventLogFile!);
    if (s === 'statsig') return new StatsigLogEventSink(this.http!, this.options.urls.logEvent);
    return s;
  }
}
