import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config/index.js';
import { GameServer } from '../../src/server/index.js';

/** True when this run targets real PostgreSQL + Redis (CI), false for PGlite + memory. */
export const realBackends = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

/** A directory without a .env, so the developer's own .env never leaks into tests. */
const emptyDir = () => mkdtempSync(join(tmpdir(), 'gamev1-test-'));

export interface Isolation {
  schema: string;
  keyPrefix: string;
}

/** A fresh schema and key prefix: parallel test files and reruns never see each other's rows or keys. */
export function isolation(): Isolation {
  const id = randomBytes(6).toString('hex');
  return { schema: `test_${id}`, keyPrefix: `gamev1-test:${id}:` };
}

/**
 * The environment of a server process (startProcess) that shares this run's real backends and `scope` with an
 * in-process test server, and accepts its tokens: another node of the same deployment. Logs at info, where the
 * process says where it listens.
 */
export function peerNodeEnv(scope: Isolation, jwtSecret: string): Record<string, string> {
  return {
    DATABASE_URL: process.env.DATABASE_URL!,
    REDIS_URL: process.env.REDIS_URL!,
    DATABASE_SCHEMA: scope.schema,
    REDIS_KEY_PREFIX: scope.keyPrefix,
    JWT_SECRET: jwtSecret,
    LOG_LEVEL: 'info',
  };
}

/** Test configuration on this run's backends, isolated, listening on an ephemeral loopback port. */
export function testConfig(overrides: Record<string, string> = {}, scope: Isolation = isolation()): Config {
  return loadConfig({
    cwd: emptyDir(),
    env: {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      // CI runs the suite once per transport.
      WS_TRANSPORT: process.env.WS_TRANSPORT,
      DATA_DIR: 'memory://',
      OUTBOX_DIR: 'memory://',
      DATABASE_SCHEMA: scope.schema,
      DATABASE_POOL_SIZE: '5',
      REDIS_KEY_PREFIX: scope.keyPrefix,
      REDIS_POOL_SIZE: '2',
      GATEWAY_BIND_ADDR: '127.0.0.1:0',
      LOG_LEVEL: 'silent',
      JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
      NODE_NAME: 'test-node',
      ...overrides,
    },
  });
}

/** Drops what a test run left in the shared PostgreSQL and Redis. */
export async function dropIsolation(config: Config): Promise<void> {
  if (config.database.url) {
    const client = new pg.Client({ connectionString: config.database.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${config.database.schema} CASCADE`);
    await client.end();
  }
  if (config.redis.url) {
    const redis = new Redis(config.redis.url);
    const keys = await redis.keys(`${config.redis.keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

export interface TestServer {
  server: GameServer;
  url: string;
  /** fetch against the server, JSON in and out. */
  call(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<{
    status: number;
    headers: Headers;
    body: any;
  }>;
  stop(): Promise<void>;
}

export async function startTestServer(overrides: Record<string, string> = {}, scope?: Isolation): Promise<TestServer> {
  const config = testConfig(overrides, scope);
  const server = await GameServer.start(config);
  return {
    server,
    url: server.url,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-type'] ??= 'application/json';
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const response = await fetch(server.url + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON (e.g. /metrics): keep the text.
      }
      return { status: response.status, headers: response.headers, body };
    },
    async stop() {
      await server.close();
      await dropIsolation(config);
    },
  };
}
