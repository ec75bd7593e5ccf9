export { buildApp, type AppDependencies } from './app.js';
export {
  loadConfig,
  helpText,
  CONFIG_OPTIONS,
  ConfigError,
  type ServerConfig,
  type ConfigOption,
  type RateLimitConfig,
} from './config.js';
export { startServer, type RunningServer } from './start.js';
export {
  openStore,
  openSqliteStore,
  SqlStore,
  type StoreOptions,
  type SqliteStoreOptions,
} from './store/sql-store.js';
export type {
  Store,
  SiteRecord,
  MemberRecord,
  ComponentRecord,
  StoredEvent,
} from './store/store.js';
export { MemoryHub, type Hub, type HubNotice } from './realtime/hub.js';
export { seedDemo, DEMO_SITE, demoStaffToken } from './demo/seed.js';
export type { LifeboatContext } from './context.js';
