export { RedisDataStore, type RedisDataStoreOptions, type RedisDataStoreHealth, type WriteOutcome } from './redis-data-store';
export { dataStoreKey, keyLabel, sha256Base64, type DataStorePath } from './keys';
