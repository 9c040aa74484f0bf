import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { approach, distance, playerIn, shootAt } from './support/play.js';
import { sdkClient, waitFor } from './support/sdk.js';
import { TestSocket } from './support/ws.js';

let t: TestServer;
beforeAll(async () => {
  // 20 Hz keeps the test light; rules are per second, so the numbers below hold at any tick rate.
  t = await startTestServer({ TICK_RATE: '20', SNAPSHOT_RATE: '20', RECONNECT_GRACE: '30' });
});
afterAll(() => t?.stop());

const MOVE_SPEED = 6;

async function joinedPlayer(name: string, roomId?: string) {
  const { client, cut } = sdkClient(t.url);
  await client.guest(name);
  await client.connect();
  const room = roomId ?? (await client.createRoom({ room_name: `${name}'s room`, max_players: 4 })).room_id;
  const joined = await client.joinRoom(room);
  return { client, cut, roomId: room, entity: joined.entity_id, id: joined.player_id };
}

const me = playerIn;

describe('two SDK clients in one room', () => {
  it('see each other join and move', async () => {
    const ann = await joinedPlayer('Ann');
    const bobJoined = waitFor(ann.client, 'player_joined');
    const bob = await joinedPlayer('Bob', ann.roomId);
    expect((await bobJoined).player.name).toBe('Bob');

    const start = me((await waitFor(ann.client, 'snapshot', (e) => !!me(e.snapshot.players, bob.id))).snapshot.players, bob.id)!;
    // Spawn points are random, so Bob walks towards the centre: the other way a wall could be within reach.
    const towardsCentre = start.position.x > 0 ? -1 : 1;
    const timer = setInterval(() => bob.client.sendInput({ movement: { x: towardsCentre, y: 0, z: 0 } }), 50);
    try {
      const moved = await waitFor(ann.client, 'snapshot', (e) => {
        const x = me(e.snapshot.players, bob.id)?.position.x;
        return x !== undefined && (x - start.position.x) * towardsCentre > 1;
      });
      expect(me(moved.snapshot.players, bob.id)!.last_input_sequence).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
    ann.client.close();
    bob.client.close();
  });

  it('binary deltas decode to exactly the state JSON clients get', async () => {
    const sdk = await joinedPlayer('Delta');
    const json = await TestSocket.open(t.url);
    json.send({ type: 'auth', player_name: 'Json' });
    json.send({ type: 'join_room', room_id: sdk.roomId });
    await json.next('room_joined');
    await json.next('game_snapshot'); // the joiner's own welcome snapshot, which nobody else receives
    const timer = setInterval(() => sdk.client.sendInput({ movement: { x: Math.random() - 0.5, y: 0, z: 1 }, actions: ['jump'] }), 50);
    try {
      const decoded = new Map<number, unknown>();
      sdk.client.on('snapshot', (event) => decoded.set(event.tick, event.snapshot));
      let compared = 0;
      while (compared < 20) {
        const full = await json.next('game_snapshot');
        if (!('snapshot' in full)) continue;
        await expect.poll(() => decoded.has(full.tick)).toBe(true);
        expect(decoded.get(full.tick)).toEqual(full.snapshot);
        compared++;
      }
    } finally {
      clearInterval(timer);
    }
    json.close();
    sdk.client.close();
  });
});

describe('authority', () => {
  it('holds the speed cap against a cheating client', async () => {
    const honest = await joinedPlayer('Watcher');
    const cheater = await TestSocket.open(t.url, 'gamev1.msgpack');
    cheater.send({ type: 'auth', player_name: 'Cheater' });
    const cheaterId = (await cheater.next('auth_ok')).player_id;
    cheater.send({ type: 'join_room', room_id: honest.roomId });
    await cheater.next('room_joined');

    let sequence = 0;
    const flood = setInterval(() => {
      // Ten inputs per tick, each asking for a 1000× speed teleport.
      for (let i = 0; i < 10; i++) cheater.send({ type: 'game_input', room_id: honest.roomId, sequence: ++sequence, input: { movement: { x: 1000, y: 500, z: 1000 } } });
    }, 50);
    try {
      const samples: { tick: number; position: { x: number; z: number } }[] = [];
      while (samples.length < 30) {
        const event = await waitFor(honest.client, 'snapshot');
        const player = me(event.snapshot.players, cheaterId);
        if (player) samples.push({ tick: event.tick, position: player.position });
      }
      for (let i = 1; i < samples.length; i++) {
        const seconds = (samples[i]!.tick - samples[i - 1]!.tick) / 20;
        expect(distance(samples[i]!.position, samples[i - 1]!.position)).toBeLessThanOrEqual(MOVE_SPEED * seconds + 0.01);
      }
      expect(distance(samples.at(-1)!.position, samples[0]!.position)).toBeGreaterThan(0);
    } finally {
      clearInterval(flood);
    }
    cheater.close();
    honest.client.close();
  });

  it('a shot lowers health, a kill scores, and the victim respawns', async () => {
    const shooter = await joinedPlayer('Shooter');
    const target = await joinedPlayer('Target', shooter.roomId);
    await approach(shooter.client, shooter.id, target.id);
    await shootAt(shooter.client, shooter.id, target.id);
    const hurt = await waitFor(shooter.client, 'snapshot', (e) => (me(e.snapshot.players, target.id)?.health ?? 100) < 100);
    expect(me(hurt.snapshot.players, target.id)!.health).toBe(75);

    const firing = setInterval(() => void shootAt(shooter.client, shooter.id, target.id), 100);
    try {
      const killed = await waitFor(shooter.client, 'snapshot', (e) => me(e.snapshot.players, shooter.id)!.score === 1);
      // Shots still flying when the victim respawns (at a random point) could land on the fresh spawn.
      clearInterval(firing);
      expect(me(killed.snapshot.players, target.id)).toMatchObject({ alive: false, health: 0, deaths: 1 });
      const respawned = await waitFor(shooter.client, 'snapshot', (e) => me(e.snapshot.players, target.id)!.alive, 10_000);
      expect(me(respawned.snapshot.players, target.id)!.health).toBe(100);
    } finally {
      clearInterval(firing);
    }
    shooter.client.close();
    target.client.close();
  });
});

describe('seats', () => {
  it('leave → the others get player_left', async () => {
    const stay = await joinedPlayer('Stays');
    const go = await joinedPlayer('Goes', stay.roomId);
    // Listening first: the notice may reach the other player before the leaver hears its own answer.
    const notice = waitFor(stay.client, 'player_left');
    await go.client.leaveRoom();
    const left = await notice;
    expect(left).toMatchObject({ reason: 'left', player: { id: go.id } });
    stay.client.close();
    go.client.close();
  });

  it('the SDK reconnects by itself and keeps its seat, entity and score', async () => {
    const watcher = await joinedPlayer('Observer');
    const flaky = await joinedPlayer('Flaky', watcher.roomId);
    // Flaky scores a kill first, so there is a score to keep.
    await approach(flaky.client, flaky.id, watcher.id);
    const shots: Promise<number>[] = [];
    const firing = setInterval(() => shots.push(shootAt(flaky.client, flaky.id, watcher.id)), 100);
    try {
      await waitFor(watcher.client, 'snapshot', (e) => me(e.snapshot.players, flaky.id)?.score === 1);
    } finally {
      // Stop at the first kill, so the score to keep is exactly 1; no shot may still be on its way at the cut.
      clearInterval(firing);
      await Promise.all(shots);
    }
    const disconnected = waitFor(watcher.client, 'player_disconnected');
    const reconnected = waitFor(watcher.client, 'player_reconnected');
    const back = waitFor(flaky.client, 'reconnected');
    flaky.cut();
    await disconnected;
    expect((await back).room).toMatchObject({ room_id: watcher.roomId, resumed: true, entity_id: flaky.entity });
    await reconnected;
    const sequence = flaky.client.sendInput({ movement: { x: 0, y: 0, z: 1 } });
    const resumed = await waitFor(watcher.client, 'snapshot', (e) => (me(e.snapshot.players, flaky.id)?.last_input_sequence ?? 0) >= sequence);
    expect(me(resumed.snapshot.players, flaky.id)).toMatchObject({ entity_id: flaky.entity, score: 1 });
    expect(me(resumed.snapshot.players, watcher.id)!.deaths).toBe(1);
    watcher.client.close();
    flaky.client.close();
  });
});
