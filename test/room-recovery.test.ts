/**
 * Rooms that outlive their node, without processes: a room's checkpoint rebuilds the same game on another
 * RoomManager (seats held for reconnects, the recorded game carried on); the checkpointer appends records and
 * is fenced off by a takeover; the rescuer takes over lapsed rooms, once, and clears rooms it cannot bring back.
 * The Redis store's own rules run against a real Redis when REDIS_URL is set.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DirectoryAgent, MemoryDirectory, RedisDirectory, type RoomLease } from '../src/directory/index.js';
import type { ClientMessageOf } from '../src/protocol/index.js';
import {
  MemoryCheckpointStore,
  RedisCheckpointStore,
  RoomCheckpointer,
  RoomRescuer,
  type CheckpointMetrics,
  type CheckpointStore,
  type RescueMetrics,
} from '../src/recovery/index.js';
import type { Room, RoomManager } from '../src/rooms/index.js';
import { FakeConnection, fakeRooms, silentLogger, thrownCode, type FakeRooms } from './support/rooms.js';
import { isolation } from './support/server.js';

const player = (id: string) => ({ id, name: `Name of ${id}` });

/** Two players run at each other and shoot, scripted by tick: the same calls every run. */
function play(room: Room, ticks: number, from = 0): void {
  for (let t = from; t < from + ticks; t++) {
    const input = (x: number, shoot: boolean): ClientMessageOf<'game_input'>['input'] => ({
      movement: { x, y: 0, z: Math.sin(t / 7) },
      actions: shoot ? ['shoot'] : [],
      aim: { x, y: -0.1, z: Math.cos(t / 5) },
    });
    if (room.hasMember('ann')) room.input('ann', { type: 'game_input', room_id: room.id, sequence: t + 1, input: input(1, t % 3 === 0) });
    if (room.hasMember('bob')) room.input('bob', { type: 'game_input', room_id: room.id, sequence: t + 1, input: input(-1, t % 4 === 0) });
    room.tick();
  }
}

/** A room with Ann and Bob seated that has played `ticks` ticks. */
function playedRoom(rooms: FakeRooms, ticks: number): Room {
  const room = rooms.create({ name: 'duel', tournamentMatch: { tournamentId: 't1', matchId: 'm1' } });
  room.join(player('ann'), new FakeConnection());
  room.join(player('bob'), new FakeConnection());
  room.reserve('cid');
  play(room, ticks);
  return room;
}

const checkpointOf = (room: Room) => {
  const { state, record } = room.checkpoint(0);
  return { state, record: record! };
};

describe('a room checkpoint', () => {
  it('rebuilds the same game elsewhere, seats held for reconnects, and plays on exactly as the original', () => {
    const a = fakeRooms();
    const original = playedRoom(a, 200);
    const checkpoint = checkpointOf(original);
    const b = fakeRooms();
    const restored = b.manager.restore(original.id, structuredClone(checkpoint));

    expect(restored.id).toBe(original.id);
    expect(restored.info()).toEqual(original.info());
    expect(restored.state()).toEqual(original.state());
    expect(restored.players().map((p) => [p.id, p.entity_id, p.connected])).toEqual(original.players().map((p) => [p.id, p.entity_id, false]));
    expect(restored.seatsTaken).toBe(3);
    // The recorded game goes on here: its end is written by this node.
    expect(b.recorder.adopted).toEqual([{ gameId: 'game-1', match: a.recorder.started[0], startedAt: a.now() }]);

    // Same inputs from here on: same game.
    play(original, 100, 200);
    play(restored, 100, 200);
    expect(restored.state()).toEqual(original.state());

    // A player reconnecting takes its seat back, with its entity and score.
    const annAgain = new FakeConnection();
    restored.join(player('ann'), annAgain);
    const joined = annAgain.of('room_joined')[0]!;
    expect(joined).toMatchObject({ resumed: true, entity_id: original.players().find((p) => p.id === 'ann')!.entity_id });
    expect(restored.players().find((p) => p.id === 'ann')!.connected).toBe(true);
  });

  it('can be appended: the pieces since each offset make up the whole record', () => {
    const rooms = fakeRooms();
    const room = playedRoom(rooms, 50);
    const first = room.checkpoint(0).record!;
    play(room, 30, 50);
    const second = room.checkpoint(first.length).record!;
    play(room, 30, 80);
    const joined = new Uint8Array([...first, ...second, ...room.checkpoint(first.length + second.length).record!]);
    const restored = fakeRooms().manager.restore(room.id, { state: room.checkpoint(0).state, record: joined });
    expect(restored.state()).toEqual(room.state());
  });

  it('between two matches starts the next one on restore', () => {
    const rooms = fakeRooms({ settings: { ...fakeRooms().settings, game: { ...fakeRooms().settings.game, timeLimitSeconds: 1 } } });
    const room = playedRoom(rooms, 25);
    expect(room.checkpoint(0).state.finished).toBe(true);
    const elsewhere = fakeRooms();
    const restored = elsewhere.manager.restore(room.id, checkpointOf(room));
    const ann = new FakeConnection();
    restored.join(player('ann'), ann);
    restored.tick();
    expect(ann.types).toContain('match_started');
    expect(restored.info().status).toBe('playing');
  });

  it('is refused for a room served here already, on a draining node, and for a record that does not fit', () => {
    const rooms = fakeRooms();
    const room = playedRoom(rooms, 10);
    expect(thrownCode(() => rooms.manager.restore(room.id, checkpointOf(room)))).toBe('invalid_room');
    const draining = fakeRooms();
    draining.manager.drain();
    expect(thrownCode(() => draining.manager.restore(room.id, checkpointOf(room)))).toBe('draining');
    const broken = checkpointOf(room);
    expect(() => fakeRooms().manager.restore(room.id, { ...broken, record: broken.record.subarray(0, 3) })).toThrow();
    expect(() => fakeRooms().manager.restore(room.id, { ...broken, record: new Uint8Array() })).toThrow(RangeError);
  });

  it('hands a room over without ending its match, and sends its players on', () => {
    const rooms = fakeRooms();
    const room = rooms.create();
    const ann = new FakeConnection();
    room.join(player('ann'), ann);
    rooms.manager.handOver(room.id);
    expect(ann.movedRooms).toEqual([room.id]);
    expect(rooms.manager.find(room.id)).toBeUndefined();
    expect(rooms.recorder.aborted).toEqual([]);
  });
});

/** One node of a directory on a shared fake clock: its rooms, agent, checkpointer and rescuer. */
function recoveryNode(id: string, directory: MemoryDirectory, store: CheckpointStore, clock: { now: () => number }) {
  const rooms = fakeRooms();
  const events = { restored: [] as number[], failed: [] as string[], unrecoverable: [] as string[], written: 0 };
  const metrics: CheckpointMetrics & RescueMetrics = {
    checkpointAge: () => undefined,
    checkpointWritten: (count) => void (events.written += count),
    unrecoverable: (roomId) => void events.unrecoverable.push(roomId),
    restored: (seconds) => void events.restored.push(seconds),
    failed: (reason) => void events.failed.push(reason),
  };
  const manager: RoomManager = rooms.manager;
  manager.onRoomEnded((roomId) => void store.drop(roomId));
  const agent = new DirectoryAgent(
    directory,
    () => ({ id, roles: ['gateway', 'worker'], region: 'default', address: `http://${id}`, draining: false, load: { players: 0, capacity: 100, rooms: manager.roomCount, tickUtilization: 0 } }),
    { ids: () => manager.roomIds(), stopServing: async (roomId) => manager.handOver(roomId) },
    { nodeTtlMs: 3_000, leaseTtlMs: 3_000 },
    { fenced: () => undefined },
  );
  const checkpointer = new RoomCheckpointer(
    { ids: () => manager.roomIds(), room: (roomId) => manager.find(roomId), lease: (roomId) => agent.leaseOf(roomId) },
    store,
    { metrics, logger: silentLogger(), now: clock.now },
  );
  const rescuer = new RoomRescuer(
    directory,
    store,
    { canHost: () => !manager.draining, serves: (roomId) => manager.find(roomId) !== undefined, holdsLease: (roomId) => agent.leaseOf(roomId) !== undefined, restore: (roomId, checkpoint) => void manager.restore(roomId, checkpoint), adopt: (lease) => agent.adopt(lease) },
    { self: id, leaseTtlMs: 3_000, sweepLimit: 16, graceMs: 2_000 },
    { metrics, logger: silentLogger(), now: clock.now },
  );
  return { rooms, manager, agent, checkpointer, rescuer, events };
}

describe('checkpointer and rescuer', () => {
  function cluster() {
    const clock = { time: 1_000_000, now: () => clock.time };
    const directory = new MemoryDirectory(clock.now);
    const store = new MemoryCheckpointStore(directory, clock.now);
    const node = (id: string) => recoveryNode(id, directory, store, clock);
    return { clock, directory, store, node, a: node('a'), b: node('b') };
  }

  it('takes a dead node\'s room over with the next epoch, from its latest checkpoint, and fences the old owner off', async () => {
    const { clock, directory, store, a, b } = cluster();
    const room = playedRoom(a.rooms, 40);
    await a.agent.claim(room.id);
    await a.checkpointer.run();
    play(room, 40, 40);
    await a.checkpointer.run();
    expect((await store.read(room.id))!.state.members.map((m) => m.id)).toEqual(['ann', 'bob']);

    // a stops beating; b is the only live worker once a's announcement lapses.
    await b.agent.beat();
    clock.time += 3_500;
    await b.agent.beat();
    await b.rescuer.sweep();
    expect(b.events.restored).toHaveLength(1);
    const restored = b.manager.get(room.id);
    expect(restored.state()).toEqual(room.state());
    expect(await directory.owner(room.id)).toMatchObject({ node: 'b', epoch: 2 });
    // Taken once: a second sweep (or a player's rescue) finds it served.
    await b.rescuer.sweep();
    expect(await b.rescuer.recover(room.id)).toBe('here');
    expect(b.events.restored).toHaveLength(1);
    expect(await directory.owner(room.id)).toMatchObject({ node: 'b', epoch: 2 });

    // a comes back: its writes are refused and its beat hands the room over.
    play(room, 5, 80);
    await a.checkpointer.run();
    expect((await store.read(room.id))!.state.seed).toBe(restored.checkpoint(0).state.seed);
    await a.agent.beat();
    expect(a.manager.find(room.id)).toBeUndefined();
    expect(a.rooms.recorder.aborted).toEqual([]);

    // b checkpoints the room from scratch under its own epoch, and appends from then on.
    await b.checkpointer.run();
    await b.checkpointer.run();
    const stored = (await store.read(room.id))!;
    expect(fakeRooms().manager.restore(room.id, stored).state()).toEqual(restored.state());
  });

  it('clears away a lapsed room with no checkpoint, and never takes a room that had no lease', async () => {
    const { clock, directory, a, b } = cluster();
    const room = a.rooms.create();
    await a.agent.claim(room.id);
    clock.time += 5_000;
    await b.agent.beat();
    await b.rescuer.sweep();
    expect(b.events.failed).toEqual(['no_checkpoint']);
    expect(await directory.lapsed(10)).toEqual([]);
    expect(await directory.owner(room.id)).toBeUndefined();
    expect(await b.rescuer.recover('room_never_made')).toBe('lost');
    expect(await directory.owner('room_never_made')).toBeUndefined();
  });

  it('never brings back a room that ended, and forgets a checkpoint no lease stands behind', async () => {
    const { store, directory, a, b } = cluster();
    const ended = playedRoom(a.rooms, 10);
    await a.agent.claim(ended.id);
    await a.checkpointer.run();
    await a.manager.remove(ended.id);
    expect(await store.has(ended.id)).toBe(false);
    // Written once more by a run that was already under way: still not brought back.
    await store.write([{ roomId: ended.id, node: 'a', epoch: 1, ...checkpointOf(ended), offset: 0 }]);
    expect(await a.rescuer.recover(ended.id)).toBe('lost');
    await a.agent.beat();
    expect(await b.rescuer.recover(ended.id)).toBe('lost');
    expect(await store.has(ended.id)).toBe(false);
    expect(await directory.owner(ended.id)).toBeUndefined();
    expect(b.events.restored).toEqual([]);
  });

  it('leaves a lapsed room to the least loaded worker for the grace period', async () => {
    const { clock, node, a, b } = cluster();
    const room = playedRoom(a.rooms, 10);
    await a.agent.claim(room.id);
    await a.checkpointer.run();
    const busy = playedRoom(b.rooms, 1);
    await b.agent.claim(busy.id);
    const c = node('c');
    clock.time += 3_500;
    await b.agent.beat();
    await c.agent.beat();
    // c has no rooms: it goes first; b waits out the grace period.
    await b.rescuer.sweep();
    expect(b.events.restored).toEqual([]);
    await c.rescuer.sweep();
    expect(c.manager.find(room.id)).toBeDefined();
  });

  it('stops checkpointing a room whose record outgrew its bound, and forgets its older checkpoint', async () => {
    const { a, store } = cluster();
    const room = a.rooms.create();
    await a.agent.claim(room.id);
    await a.checkpointer.run();
    expect(await store.has(room.id)).toBe(true);
    const realCheckpoint = room.checkpoint.bind(room);
    room.checkpoint = (offset) => ({ ...realCheckpoint(offset), record: undefined });
    await a.checkpointer.run();
    await a.checkpointer.run();
    expect(a.events.unrecoverable).toEqual([room.id]);
    expect(await store.has(room.id)).toBe(false);
  });
});

describe.runIf(process.env.REDIS_URL)('RedisCheckpointStore', () => {
  it('writes under the lease only, appends at the stored length, and reads state and record together', async () => {
    const { keyPrefix } = isolation();
    const redis = new Redis(process.env.REDIS_URL!, { keyPrefix });
    try {
      const directory = new RedisDirectory(redis, 'dir:');
      const store = new RedisCheckpointStore(redis, (roomId) => directory.leaseKey(roomId), () => 1234);
      const room = playedRoom(fakeRooms(), 30);
      const lease = (await directory.acquire(room.id, 'a', 10_000)) as RoomLease;
      const { state, record } = checkpointOf(room);
      const write = { roomId: room.id, node: 'a', epoch: lease.epoch, state, offset: 0, record: record.subarray(0, 10) };
      expect(await store.write([write, { ...write, offset: 10, record: record.subarray(10) }, { ...write, offset: 3 }, { ...write, epoch: 9 }])).toEqual([
        'written',
        'written',
        'out_of_step',
        'fenced',
      ]);
      const stored = await store.read(room.id);
      expect(stored).toEqual({ state, record: new Uint8Array(record), writtenAt: 1234 });
      expect(await store.has(room.id)).toBe(true);
      expect(await store.has('room_other')).toBe(false);
      expect(await store.read('room_other')).toBeUndefined();
      expect(fakeRooms().manager.restore(room.id, stored!).state()).toEqual(room.state());
    } finally {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(keyPrefix.length)));
      await redis.quit();
    }
  });
});
