export type { RedisSyncStoreOptions } from './options.js';
export { RedisSyncStore } from './redis-store.js';
