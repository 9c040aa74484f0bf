import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolation, realBackends, startTestServer, type TestServer } from './support/server.js';

const limits = {
  AUTH_RATE_LIMIT_PER_IP: '5',
  AUTH_RATE_LIMIT_PER_ACCOUNT: '3',
  AUTH_RATE_LIMIT_WINDOW: '60',
  TRUST_PROXY: 'true',
};

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(limits);
});
afterAll(() => t?.stop());

const from = (ip: string) => ({ 'x-forwarded-for': ip });
const login = (server: TestServer, ip: string, email: string) =>
  server.call('POST', '/auth/login', { body: { email, password: 'wrong password' }, headers: from(ip) });

describe('auth rate limits', () => {
  it('limits attempts per IP with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(t, '203.0.113.1', `user${i}@example.com`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const limited = await login(t, '203.0.113.1', 'other@example.com');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(limited.body.message).toMatch(/ip/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another IP is unaffected.
    expect((await login(t, '203.0.113.2', 'fresh@example.com')).status).toBe(401);
  });

  it('limits attempts per account even when they come from many IPs', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(t, `198.51.100.${i}`, 'target@example.com')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await login(t, '198.51.100.99', 'TARGET@example.com');
    expect(limited.status).toBe(429);
    expect(limited.body.message).toMatch(/account/);
  });

  it('limits registration and guest creation per IP too', async () => {
    const register = (i: number) =>
      t.call('POST', '/auth/register', { body: { email: `new${i}@example.com`, password: 'long enough' }, headers: from('192.0.2.7') });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await register(i)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    const guests: number[] = [];
    for (let i = 0; i < 6; i++) guests.push((await t.call('POST', '/auth/guest', { headers: from('192.0.2.8') })).status);
    expect(guests).toEqual([201, 201, 201, 201, 201, 429]);
  });

  it('counts refusals in gamev1_rate_limited_total', async () => {
    const metrics = await t.call('GET', '/metrics');
    expect(metrics.body).toMatch(/gamev1_rate_limited_total\{scope="ip",node="test-node"\} [1-9]/);
    expect(metrics.body).toMatch(/gamev1_rate_limited_total\{scope="account",node="test-node"\} [1-9]/);
  });

  it('can be switched off', async () => {
    const open = await startTestServer({ ...limits, ENABLE_RATE_LIMITING: 'false' });
    try {
      for (let i = 0; i < 8; i++) expect((await login(open, '203.0.113.50', 'same@example.com')).status).toBe(401);
    } finally {
      await open.stop();
    }
  });
});

describe.runIf(realBackends)('rate limits across nodes (shared Redis)', () => {
  it('counts attempts on every node against one limit', async () => {
    const shared = isolation();
    const nodeA = await startTestServer({ ...limits, NODE_NAME: 'node-a' }, shared);
    const nodeB = await startTestServer({ ...limits, NODE_NAME: 'node-b' }, shared);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await login(nodeA, `10.0.0.${i}`, 'roaming@example.com')).status);
      }
      statuses.push((await login(nodeB, '10.0.1.1', 'roaming@example.com')).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await nodeB.server.close();
      await nodeA.stop();
    }
  });
});
