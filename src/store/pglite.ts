import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { DatabaseUnavailableError, type Database, type Queryable, type QueryResult } from './types.js';

export interface PgliteOptions {
  /** A directory, or `memory://` for a database that lives only in this process. */
  dataDir: string;
  schema: string;
}

function wrap(target: PGlite | Transaction): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      // Without parameters use the simple protocol, like pg does, so multi-statement scripts (migrations) work.
      const result =
        params.length === 0 ? (await target.exec(sql)).at(-1) : await target.query<Row>(sql, params as unknown[]);
      const rows = (result?.rows ?? []) as Row[];
      return { rows, rowCount: result?.affectedRows ?? rows.length };
    },
  };
}

/** Embedded PostgreSQL (WASM) for `npm start` with no servers and for tests; one connection, same SQL. */
export class PgliteDatabase implements Database {
  readonly backend = 'pglite' as const;
  private readonly queryable: Queryable;
  private closed = false;

  private constructor(private readonly db: PGlite) {
    this.queryable = wrap(db);
  }

  static async open(options: PgliteOptions): Promise<PgliteDatabase> {
    const inMemory = options.dataDir === 'memory://';
    try {
      if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
      const db = await PGlite.create(inMemory ? undefined : options.dataDir);
      await db.exec(`CREATE SCHEMA IF NOT EXISTS ${options.schema}; SET search_path TO ${options.schema}`);
      return new PgliteDatabase(db);
    } catch (error) {
      throw new DatabaseUnavailableError(`cannot open embedded database in ${options.dataDir}: ${(error as Error).message}`);
    }
  }

  query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    this.assertOpen();
    return this.queryable.query<Row>(sql, params);
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.db.transaction((tx) => work(wrap(tx)));
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new DatabaseUnavailableError('embedded database is closed');
  }
}
