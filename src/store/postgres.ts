import pg from 'pg';
import { DatabaseUnavailableError, type Database, type Queryable, type QueryResult, type StoreHooks } from './types.js';

export interface PostgresOptions {
  url: string;
  poolSize: number;
  schema: string;
}

/**
 * SQLSTATE classes, socket errors and the driver's own messages (which carry no code) that mean the connection,
 * not the statement, failed.
 */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  const message = (error as { message?: string }).message ?? '';
  return (
    code.startsWith('08') ||
    code.startsWith('57P') ||
    /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|NOTFOUND|HOSTUNREACH)$/.test(code) ||
    /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(message)
  );
}

function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
}

export class PostgresDatabase implements Database {
  readonly backend = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly queryable: Queryable;

  private constructor(pool: pg.Pool, private readonly hooks: StoreHooks) {
    this.pool = pool;
    this.queryable = wrap(pool);
  }

  /** Connects (failing fast with a clear error when the server is unreachable) and selects the schema. */
  static async connect(options: PostgresOptions, hooks: StoreHooks = {}): Promise<PostgresDatabase> {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      connectionTimeoutMillis: 5_000,
      // The schema name is validated by the config (lower-case identifier), so it is safe in the startup packet.
      options: `-c search_path=${options.schema}`,
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', (error) => hooks.onConnectionError?.(error));
    const database = new PostgresDatabase(pool, hooks);
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Two nodes creating the schema at once: the loser sees a duplicate, which is fine.
      if (code !== '23505' && code !== '42P06') {
        await pool.end().catch(() => undefined);
        throw new DatabaseUnavailableError(
          `cannot use PostgreSQL at ${describe(options.url)}: ${(error as Error).message || code}`,
        );
      }
    }
    return database;
  }

  async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    try {
      return await this.queryable.query<Row>(sql, params);
    } catch (error) {
      throw this.failure(error);
    }
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.failure(error);
    }
    try {
      await client.query('BEGIN');
      const result = await work(wrap(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.failure(error);
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /**
   * What a failed statement throws: a lost or refused connection becomes DatabaseUnavailableError (counted), so
   * callers can tell "retry later" (a 503, a deferred write) from a statement that is wrong.
   */
  private failure(error: unknown): unknown {
    if (error instanceof DatabaseUnavailableError) return error;
    if (!isConnectionError(error) && !this.pool.ended) return error;
    this.hooks.onConnectionError?.(error as Error);
    return new DatabaseUnavailableError(`PostgreSQL is unavailable: ${(error as Error).message}`, { cause: error });
  }
}
