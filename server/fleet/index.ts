export { RedisDataStore, type RedisDataStoreOptions, type RedisDataStoreHealth, type WriteOutcome } from './redis-data-store';
export { dataStoreKey, keyLabel, type DataStorePath } from './keys';
