import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { listeningUrl, startProcess } from './support/process.js';
import { dropIsolation, isolation, testConfig } from './support/server.js';

async function collect(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

describe('the server process', () => {
  it('stops at start with one clear message naming a bad key', async () => {
    const child = startProcess({ MAX_CONNECTIONS: 'many' });
    const [stderr, [code]] = await Promise.all([collect(child.stderr), once(child, 'exit')]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'gamev1: invalid configuration: MAX_CONNECTIONS (environment) must be an integer from 1 to 10000000, got "many"',
    );
  });

  it('stops with a clear message when the configured database is unreachable', async () => {
    const child = startProcess({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', LOG_LEVEL: 'info' });
    const [stdout, [code]] = await Promise.all([collect(child.stdout), once(child, 'exit')]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/"level":60.*cannot use PostgreSQL at 127\.0\.0\.1:1\/test/);
  });

  it('writes readable lines instead of JSON for a person at a terminal (LOG_FORMAT=pretty; auto picks it on a TTY)', async () => {
    const child = startProcess({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' });
    const [stdout, [code]] = await Promise.all([collect(child.stdout), once(child, 'exit')]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FATAL.*cannot use PostgreSQL at 127\.0\.0\.1:1\/test/);
    expect(stdout).not.toContain('"level"');
  });

  it('logs its URL, serves, and drains and exits 0 on SIGTERM', async () => {
    const scope = isolation();
    const config = testConfig({}, scope);
    const child = startProcess({
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { DATA_DIR: 'memory://' }),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      DATABASE_SCHEMA: scope.schema,
      REDIS_KEY_PREFIX: scope.keyPrefix,
      GATEWAY_BIND_ADDR: '127.0.0.1:0',
      LOG_LEVEL: 'info',
    });
    try {
      const { url, lines } = await listeningUrl(child);
      expect(url, lines.join('\n')).not.toBe('');
      expect(lines.join('\n')).toContain('JWT_SECRET is not set');
      // Which transport carries /ws, and why, is in the log either way.
      expect(lines.join('\n')).toMatch(process.env.WS_TRANSPORT === 'ws' ? /WebSocket transport: ws \(WS_TRANSPORT=ws\)/ : /WebSocket transport: uws \(WS_TRANSPORT=auto, native binary loaded\)/);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
      await dropIsolation(config);
    }
  });
});
