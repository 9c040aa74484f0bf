import pg from 'pg';
import { Redis } from 'ioredis';

/**
 * Says which backends this run uses and fails the whole run at once when a configured service is down,
 * instead of letting every test time out.
 */
export default async function setup(): Promise<void> {
  const { DATABASE_URL, REDIS_URL } = process.env;
  if (DATABASE_URL) {
    const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (error) {
      throw new Error(`DATABASE_URL is set but PostgreSQL is unreachable (${DATABASE_URL}): ${(error as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (REDIS_URL) {
    const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      throw new Error(`REDIS_URL is set but Redis is unreachable (${REDIS_URL}): ${(error as Error).message}`);
    } finally {
      client.disconnect();
    }
  }
  const database = DATABASE_URL ? `PostgreSQL (${DATABASE_URL})` : 'PGlite (embedded, in memory)';
  const cache = REDIS_URL ? `Redis (${REDIS_URL})` : 'in-memory cache';
  console.log(`\n[gamev1 tests] backends: database = ${database}; cache = ${cache}\n`);
}
