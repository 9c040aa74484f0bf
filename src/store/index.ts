import { PgliteDatabase } from './pglite.js';
import { PostgresDatabase } from './postgres.js';
import type { Database, StoreHooks } from './types.js';

export { migrate, MIGRATIONS, type Migration } from './migrations.js';
export { DatabaseUnavailableError, type Database, type Queryable, type QueryResult, type StoreHooks } from './types.js';

export interface DatabaseSettings {
  url: string | undefined;
  poolSize: number;
  schema: string;
  dataDir: string;
}

/** PostgreSQL when a URL is configured, embedded PGlite otherwise; both speak the same SQL. */
export function openDatabase(settings: DatabaseSettings, hooks: StoreHooks = {}): Promise<Database> {
  return settings.url
    ? PostgresDatabase.connect({ url: settings.url, poolSize: settings.poolSize, schema: settings.schema }, hooks)
    : PgliteDatabase.open({ dataDir: settings.dataDir, schema: settings.schema });
}
