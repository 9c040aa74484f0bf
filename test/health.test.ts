import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realBackends, startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.stop());

describe('/healthz and /metrics', () => {
  it('reports both backends healthy', async () => {
    const res = await t.call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      node: 'test-node',
      checks: {
        database: { status: 'ok', backend: realBackends ? 'postgres' : 'pglite' },
        cache: { status: 'ok', backend: realBackends ? 'redis' : 'memory' },
        outbox: { status: 'ok', backend: 'memory', depth: 0, oldest_age_seconds: 0 },
      },
    });
  });

  it('serves Prometheus metrics with the gamev1_ prefix, process metrics and HTTP histograms', async () => {
    await t.call('GET', '/healthz');
    const res = await t.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text: string = res.body;
    expect(text).toContain('gamev1_process_cpu_user_seconds_total');
    expect(text).toContain('gamev1_process_resident_memory_bytes');
    expect(text).toMatch(/gamev1_http_requests_total\{method="GET",route="\/healthz",status_code="200",node="test-node"\} \d+/);
    expect(text).toMatch(/gamev1_http_request_duration_seconds_bucket\{le="0.005",[^}]*route="\/healthz"/);
    expect(text).toContain('gamev1_db_connection_errors_total');
    const names = text.split('\n').filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]!);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(name).toMatch(/^gamev1_/);
  });

  it('serves every metric the Grafana dashboard and the Prometheus alerts use', async () => {
    const { readFileSync } = await import('node:fs');
    const deployed = ['deploy/grafana/gamev1-dashboard.json', 'deploy/prometheus/alerts.yml']
      .map((file) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'))
      .join('\n');
    const used = new Set([...deployed.matchAll(/\b(gamev1_[a-z_]+)\b/g)].map(([, name]) => name!.replace(/_(bucket|count|sum)$/, '')));
    used.delete('gamev1_gateway'); // a Prometheus job name, not a metric
    const text: string = (await t.call('GET', '/metrics')).body;
    const served = new Set(text.split('\n').filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]));
    expect([...used].filter((name) => !served.has(name))).toEqual([]);
  });

  it('can serve metrics on a separate address and not on the gateway', async () => {
    const port = await freePort();
    const other = await startTestServer({ METRICS_ADDR: `127.0.0.1:${port}` });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('gamev1_http_requests_total');
    } finally {
      await other.stop();
    }
    const off = await startTestServer({ ENABLE_METRICS: 'false' });
    try {
      expect((await off.call('GET', '/metrics')).status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});

describe('/healthz with a backend down', () => {
  it('answers 503 naming the cache when it is closed', async () => {
    const other = await startTestServer();
    try {
      await other.server.cache.close();
      const res = await other.call('GET', '/healthz');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('degraded');
      expect(res.body.checks.database.status).toBe('ok');
      expect(res.body.checks.cache).toMatchObject({ status: 'down', error: expect.any(String) });
      // Requests that need the cache get a clear 503 instead of hanging.
      const login = await other.call('POST', '/auth/login', { body: { email: 'a@example.com', password: 'whatever1' } });
      expect(login.status).toBe(503);
      expect(login.body.code).toBe('service_unavailable');
    } finally {
      await other.stop();
    }
  });

  it('stays in service, degraded, naming the database when it is closed (rooms play on, records wait in the outbox)', async () => {
    const other = await startTestServer();
    try {
      await other.server.db.close();
      const res = await other.call('GET', '/healthz');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('degraded');
      expect(res.body.checks.database.status).toBe('down');
      expect(res.body.checks.cache.status).toBe('ok');
      expect(res.body.checks.outbox).toEqual({ status: 'ok', backend: 'memory', depth: 0, oldest_age_seconds: 0 });
    } finally {
      await other.stop();
    }
  });

  it.runIf(realBackends)('answers 503 when its Redis server dies, and recovers when it returns', async () => {
    const port = await freePort();
    const startRedis = () => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      return child;
    };
    let redis = startRedis();
    await waitForPort(port);
    const other = await startTestServer({ REDIS_URL: `redis://127.0.0.1:${port}/0`, REDIS_POOL_SIZE: '1' });
    try {
      expect((await other.call('GET', '/healthz')).status).toBe(200);
      redis.kill('SIGKILL');
      await expect.poll(async () => (await other.call('GET', '/healthz')).status, { timeout: 10_000 }).toBe(503);
      const res = await other.call('GET', '/healthz');
      expect(res.body.checks.cache.status).toBe('down');
      redis = startRedis();
      await expect.poll(async () => (await other.call('GET', '/healthz')).status, { timeout: 15_000 }).toBe(200);
      const metrics = await other.call('GET', '/metrics');
      expect(metrics.body).toMatch(/gamev1_cache_errors_total\{node="test-node"\} [1-9]/);
    } finally {
      await other.stop();
      redis.kill('SIGKILL');
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  await expect
    .poll(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.end();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        }),
      { timeout: 5_000, interval: 50 },
    )
    .toBe(true);
}
