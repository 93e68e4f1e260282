/**
 * `firstlight`: the Statsig-compatible server runtime. Named exports, written out; plus `firstlight`, a
 * default instance for apps that want one per process.
 */
export { Statsig } from './statsig';
export type { ClientInitializeResponseOptions, EvaluateAllOptions, Health, LogEventOptions, UserArg } from './statsig';
export type { SnapshotBootstrapOptions } from './snapshot';
export { EvaluationSnapshot } from './snapshot';
export type { ConfigResult, ExperimentResult, LayerResult, Widen } from './results';
export type { InitializeDetails } from './runtime';
export {
  normalizeOptions,
  DEFAULT_EXPOSURE_DEDUPE_MAX_KEYS,
  DEFAULT_EXPOSURE_DEDUPE_WINDOW_MS,
} from './options';
export type { StatsigOptions, SpecSourceName, EventSinkName, EvaluationRecord, RulesUpdate, HttpOptions } from './options';
export { dataStoreKey } from './store/data-store';
export type { DataStore, DataStorePath } from './store/data-store';
export { MemoryDataStore } from './store/memory-data-store';
export type { EventSink } from './events/event-sink';
export { DeliveryError } from './events/event-sink';
export { MissingPackageError } from '../lib/errors';
export type { StatsigEvent, EventUser } from './events/event';
export type { ClientEventsMeta } from './events/client-events';
export type { RecordedError } from './error-recorder';
export { RedisStreamSink } from './events/sinks/redis-stream-sink';
export type { RedisStreamSinkOptions, RedisStreamClient, RedisStreamTransaction } from './events/sinks/redis-stream-sink';
export { JsonlFileSink } from './events/sinks/jsonl-file-sink';
export { flushAfter } from './events/flush-after';
export type { FlushResult, EventCounters } from './events/event-logger';
export type { Logger } from './logger';
export { silentLogger } from './logger';
export { firstlight } from './singleton';
export { firstlight as default } from './singleton';
