import { Redis } from 'ioredis';
import pg from 'pg';

/** Drops what a bench's nodes wrote (its schema and Redis key prefix), so runs do not pile up guests and rooms. */
export async function dropBenchData(schema: string, keyPrefix: string): Promise<void> {
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.end();
  const redis = new Redis(process.env.REDIS_URL!);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
