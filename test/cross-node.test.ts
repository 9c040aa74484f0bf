/**
 * Any gateway to any room: two nodes on one PostgreSQL and one Redis, each serving its Worker API. A room is
 * placed on the worker of its region; players connected to the other node create, seat and join it there, are
 * sent to its node, and play a match with a player of that node.
 */
import { describe, expect, it } from 'vitest';
import { shootUntilMatchEnds } from './support/play.js';
import { freePort } from './support/process.js';
import { sdkClient } from './support/sdk.js';
import { isolation, realBackends, startTestServer, type TestServer } from './support/server.js';

async function node(name: string, region: string, shared: ReturnType<typeof isolation>): Promise<TestServer> {
  const port = await freePort();
  return startTestServer(
    {
      NODE_NAME: name,
      NODE_REGION: region,
      GATEWAY_BIND_ADDR: `127.0.0.1:${port}`,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      WORKER_GRPC_ADDR: '127.0.0.1:0',
      SCORE_LIMIT: '1',
      AUTH_RATE_LIMIT_PER_IP: '1000',
    },
    shared,
  );
}

describe.runIf(realBackends)('two nodes, one room', () => {
  it('places a room on its region, and players of either node meet and play in it', async () => {
    const shared = isolation();
    const us = await node('node-us', 'us-east', shared);
    const eu = await node('node-eu', 'eu-west', shared);
    try {
      await expect.poll(async () => (await us.server.directory.nodes()).map((n) => n.id), { timeout: 5_000 }).toEqual(['node-eu', 'node-us']);
      // Ann is connected to the US node and creates a room for the EU: it is made on the EU node.
      const { client: ann } = sdkClient(us.url);
      const annPlayer = await ann.guest('Ann');
      await ann.connect();
      const created = await ann.createRoom({ room_name: 'Transatlantic', region: 'eu-west', max_players: 2 });
      expect((await eu.server.rooms.list({})).map((room) => room.room_id)).toContain(created.room_id);
      expect((await us.call('GET', `/api/rooms/${created.room_id}`, { token: ann.accessToken! })).body).toMatchObject({ room_id: created.room_id, room_name: 'Transatlantic', players: [] });
      // A lobby on either node lists rooms of both.
      const local = await us.call('POST', '/api/rooms/create', { token: ann.accessToken!, body: { room_name: 'Stateside', region: 'us-east', max_players: 2 } });
      for (const server of [us, eu]) {
        const names = ((await server.call('GET', '/api/rooms/list', { token: ann.accessToken! })).body.rooms as { room_name: string }[]).map((room) => room.room_name);
        expect(names.sort()).toEqual(['Stateside', 'Transatlantic']);
      }
      expect(local.status).toBe(201);

      // Bob is connected to the EU node; Ann's join through the US node is sent on to the EU node.
      const { client: bob } = sdkClient(eu.url);
      const bobPlayer = await bob.guest('Bob');
      await bob.connect();
      const annJoined = await ann.joinRoom(created.room_id);
      const bobJoined = await bob.joinRoom(created.room_id);
      expect(annJoined.players.map((p) => p.id)).toContain(annPlayer.id);
      expect(bobJoined.players.map((p) => p.id).sort()).toEqual([annPlayer.id, bobPlayer.id].sort());
      const result = await shootUntilMatchEnds(ann, annPlayer.id, bobPlayer.id, bob);
      expect(result.results.map((r) => r.player_id).sort()).toEqual([annPlayer.id, bobPlayer.id].sort());
      for (const client of [ann, bob]) client.close();
    } finally {
      await eu.stop();
      await us.stop();
    }
  }, 60_000);

  it("holds a seat on the room's node through the other node's HTTP API", async () => {
    const shared = isolation();
    const us = await node('node-us', 'us-east', shared);
    const eu = await node('node-eu', 'eu-west', shared);
    try {
      await expect.poll(async () => (await eu.server.directory.nodes()).length, { timeout: 5_000 }).toBe(2);
      const host = (await eu.call('POST', '/auth/guest', { body: { display_name: 'Host' } })).body.access_token as string;
      const room = (await eu.call('POST', '/api/rooms/create', { token: host, body: { room_name: 'Small', region: 'eu-west', max_players: 1 } })).body;
      const { client: carl } = sdkClient(us.url);
      await carl.guest('Carl');
      const seat = await us.call('POST', `/api/rooms/${room.room_id}/join`, { token: carl.accessToken! });
      expect(seat.status).toBe(200);
      const full = await us.call('POST', `/api/rooms/${room.room_id}/join`, { token: host });
      expect([full.status, full.body.code]).toEqual([409, 'room_full']);
      await carl.connect();
      expect((await carl.joinRoom(room.room_id)).room_id).toBe(room.room_id);
      expect((await us.call('GET', '/api/rooms/room_unknown', { token: host })).status).toBe(404);
      carl.close();
    } finally {
      await eu.stop();
      await us.stop();
    }
  }, 60_000);
});
