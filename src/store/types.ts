/** What every storage backend offers: parameterised SQL, transactions, a health probe. */

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  /** Runs one parameterised statement ($1, $2, …). Values are never interpolated into SQL text. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

export interface Database extends Queryable {
  /** Which backend serves this database, for logs and /healthz. */
  readonly backend: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreHooks {
  /** Called when a connection to the database fails or breaks (counted in metrics). */
  onConnectionError?(error: Error): void;
}

/** The database cannot be reached; the message says where and why. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}
