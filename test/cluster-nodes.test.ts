/**
 * The node directory as the server keeps it: each node announces itself with its load and leases the rooms it
 * serves; admins list the live nodes; a node that shuts down leaves at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolation, realBackends, startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
let admin: string;

async function register(server: TestServer, email: string): Promise<string> {
  const res = await server.call('POST', '/auth/register', { body: { email, password: 'correct horse battery', display_name: 'Ops' } });
  return res.body.access_token as string;
}

beforeAll(async () => {
  t = await startTestServer({ ADMIN_EMAILS: 'ops@example.com', NODE_REGION: 'eu-west', PUBLIC_URL: 'http://game-1.example.com:3000' });
  admin = await register(t, 'ops@example.com');
});
afterAll(() => t?.stop());

describe('/api/cluster/nodes', () => {
  it('lists this node with its roles, address, region and load, and leases the rooms it serves', async () => {
    const listed = await t.call('GET', '/api/cluster/nodes', { token: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.nodes).toMatchObject([
      { id: 'test-node', roles: ['gateway', 'worker'], region: 'eu-west', address: 'http://game-1.example.com:3000', worker_api: null, draining: false, capacity: 10_000 },
    ]);
    const room = await t.call('POST', '/api/rooms/create', { token: admin, body: { room_name: 'Leased' } });
    expect(room.status).toBe(201);
    const roomId = room.body.room_id as string;
    await expect.poll(async () => (await t.call('GET', '/api/cluster/nodes', { token: admin })).body.nodes[0].rooms, { timeout: 5_000 }).toBe(1);
    expect(await t.server.directory.owner(roomId)).toMatchObject({ node: 'test-node', epoch: 1 });
  });

  it('announces a Worker API bound to every interface at the host the node is reached at', async () => {
    const node = await startTestServer({ WORKER_GRPC_ADDR: '0.0.0.0:0', PUBLIC_URL: 'http://game-7.example.com:3000' });
    try {
      const port = node.server.workerApiAddress!.split(':').at(-1);
      expect((await node.server.directory.nodes())[0]).toMatchObject({ workerApi: `game-7.example.com:${port}` });
    } finally {
      await node.stop();
    }
  });

  it('is for admins only', async () => {
    const guest = (await t.call('POST', '/auth/guest', { body: {} })).body.access_token as string;
    expect((await t.call('GET', '/api/cluster/nodes', { token: guest })).status).toBe(403);
    expect((await t.call('GET', '/api/cluster/nodes')).status).toBe(401);
  });
});

describe.runIf(realBackends)('two nodes on one Redis', () => {
  it('see each other, count both in the autoscaling recommendation, and forget one that shuts down', async () => {
    const shared = isolation();
    const nodeA = await startTestServer({ NODE_NAME: 'node-a', ADMIN_EMAILS: 'ops@example.com' }, shared);
    const nodeB = await startTestServer({ NODE_NAME: 'node-b' }, shared);
    try {
      const token = await register(nodeA, 'ops@example.com');
      const ids = async () => ((await nodeA.call('GET', '/api/cluster/nodes', { token })).body.nodes as { id: string }[]).map((node) => node.id);
      await expect.poll(ids, { timeout: 5_000 }).toEqual(['node-a', 'node-b']);
      expect((await nodeA.call('GET', '/autoscale/recommendation')).body.current_replicas).toBe(2);
      const room = await nodeB.call('POST', '/api/rooms/create', { token, body: { room_name: 'On B' } });
      await expect.poll(() => nodeA.server.directory.owner(room.body.room_id), { timeout: 5_000 }).toMatchObject({ node: 'node-b' });
      await nodeB.server.close();
      expect(await ids()).toEqual(['node-a']);
      expect(await nodeA.server.directory.owner(room.body.room_id)).toBeUndefined();
    } finally {
      await nodeB.stop();
      await nodeA.stop();
    }
  });
});
