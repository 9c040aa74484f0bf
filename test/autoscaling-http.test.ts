/** The autoscaling endpoints and gauges of a real server: its own recommendation, the Agones webhook, /metrics. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { TestSocket } from './support/ws.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ MIN_SERVERS: '1', MAX_CONNECTIONS: '4', MAX_CONNECTIONS_PER_ROOM: '4', MAX_PLAYERS_PER_MATCH: '4' });
});
afterAll(() => t?.stop());

const gauge = async (name: string) => {
  const text: string = (await t.call('GET', '/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

/** A FleetAutoscaleReview as an Agones FleetAutoscaler (Webhook policy) posts it, extra fields included. */
const review = (status: Record<string, number>) => ({
  request: {
    uid: '4a4bdc4f-93a6-4a6b-8a8e-0fb5f12d6a41',
    name: 'arena',
    namespace: 'games',
    labels: { app: 'gamev1' },
    status: { readyReplicas: 0, reservedReplicas: 0, players: null, counters: {}, lists: {}, ...status },
  },
  response: null,
});

describe('GET /autoscale/recommendation', () => {
  it('recommends from this node\'s load, with the policy it applied', async () => {
    const res = await t.call('GET', '/autoscale/recommendation');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      desired_replicas: 1,
      current_replicas: 1,
      utilization: expect.any(Number),
      target_utilization: 50,
      reason: 'at_min',
      min: 1,
      max: 20,
      thresholds: { scale_up: 75, scale_down: 25 },
    });
    expect(res.body.utilization).toBeLessThan(25);
  });

  it('asks for more replicas when the connections fill MAX_CONNECTIONS, in the endpoint and the gauges', async () => {
    const sockets = await Promise.all(
      ['a', 'b', 'c', 'd'].map(async (name) => {
        const socket = await TestSocket.open(t.url);
        socket.send({ type: 'auth', player_name: name });
        await socket.next('auth_ok');
        return socket;
      }),
    );
    try {
      const res = await t.call('GET', '/autoscale/recommendation');
      // 4 of 4 connections: 100 %, carried at the 50 % target by 2 replicas.
      expect(res.body).toMatchObject({ desired_replicas: 2, current_replicas: 1, utilization: 100, reason: 'above_threshold' });
      expect(await gauge('gamev1_autoscale_desired_replicas')).toBe(2);
      expect(await gauge('gamev1_autoscale_utilization_percent')).toBe(100);
    } finally {
      for (const socket of sockets) socket.ws.close();
      await Promise.all(sockets.map((socket) => socket.closed));
    }
  });
});

describe('/metrics', () => {
  it('exposes the decision as gauges for a Kubernetes HPA', async () => {
    const text: string = (await t.call('GET', '/metrics')).body;
    expect(text).toContain('# TYPE gamev1_autoscale_desired_replicas gauge');
    expect(text).toContain('# TYPE gamev1_autoscale_utilization_percent gauge');
    expect(text).toMatch(/gamev1_autoscale_desired_replicas\{node="test-node"\} 1\n/);
  });
});

describe('POST /autoscale/webhook (Agones FleetAutoscaler)', () => {
  const { uid } = review({}).request;

  it('scales a busy fleet up, echoing the uid', async () => {
    // 8 of 10 game servers allocated: 80 %, above 75; 16 carry them at the 50 % target.
    const res = await t.call('POST', '/autoscale/webhook', { body: review({ replicas: 10, readyReplicas: 2, allocatedReplicas: 8 }) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ response: { uid, scale: true, replicas: 16 } });
  });

  it('counts reserved game servers as in use', async () => {
    const res = await t.call('POST', '/autoscale/webhook', { body: review({ replicas: 4, allocatedReplicas: 2, reservedReplicas: 2 }) });
    expect(res.body).toEqual({ response: { uid, scale: true, replicas: 8 } });
  });

  it('leaves a fleet inside the band, or one only briefly idle, as it is', async () => {
    const band = await t.call('POST', '/autoscale/webhook', { body: review({ replicas: 10, readyReplicas: 5, allocatedReplicas: 5 }) });
    expect(band.body).toEqual({ response: { uid, scale: false, replicas: 10 } });
    const idle = await t.call('POST', '/autoscale/webhook', { body: review({ replicas: 10, readyReplicas: 9, allocatedReplicas: 1 }) });
    expect(idle.body).toEqual({ response: { uid, scale: false, replicas: 10 } }); // within SCALE_DOWN_STABILIZATION
  });

  it('accepts a review without the optional counts', async () => {
    const res = await t.call('POST', '/autoscale/webhook', { body: { request: { uid: 'u-1', name: 'lobby', namespace: 'default', status: { replicas: 0, allocatedReplicas: 0 } } } });
    expect(res.body).toEqual({ response: { uid: 'u-1', scale: true, replicas: 1 } }); // up to MIN_SERVERS
  });

  it('refuses a malformed review with 400 and says what is wrong', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{}, 'validation_error', /request/],
      [{ request: { name: 'arena', namespace: 'games', status: { replicas: 1, allocatedReplicas: 0 } } }, 'validation_error', /uid/],
      [review({ replicas: -1, allocatedReplicas: 0 }), 'validation_error', /replicas/],
      [{ request: { ...review({}).request, status: { replicas: 'ten', allocatedReplicas: 0 } } }, 'validation_error', /replicas/],
      [review({ replicas: 0, allocatedReplicas: 3 }), 'invalid_load', /without replicas/],
      ['{"request":', 'invalid_json', /JSON/],
    ];
    for (const [body, code, message] of cases) {
      const res = await t.call('POST', '/autoscale/webhook', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code, message: expect.stringMatching(message) });
    }
  });
});
