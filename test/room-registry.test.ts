/**
 * The RoomRegistry contract, run against every implementation: the local one, and the clustered one as seen
 * from process 1 of a two-process host. Both processes of that host live in this test process: their
 * WorkerLinks talk over fake IPC channels through a relay that does what the primary does (deliver each message
 * to the process its `to` names, asynchronously, serialised as JSON like the real channel). Each process has its
 * own RoomManager and fake clock.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryCache } from '../src/cache/memory.js';
import { ClusteredRoomRegistry, WorkerLink, type IpcChannel } from '../src/cluster/index.js';
import type { ControlMessage, Envelope } from '../src/cluster/messages.js';
import { GameModes } from '../src/games/index.js';
import { MatchmakingService, MemoryTicketQueue } from '../src/matchmaking/index.js';
import { LocalRoomRegistry, RoomManager, type HostedRoom, type NewRoom, type ReservedRoom, type RoomRegistry } from '../src/rooms/index.js';
import { FakeConnection, FakeMetrics, FakeRecorder, ROOM_SETTINGS, settle, silentLogger, START_TIME } from './support/rooms.js';

const logger = silentLogger();
const NODE = 'node-a';
const TICK_RATE = ROOM_SETTINGS.game.tickRate;

type Listener = Parameters<IpcChannel['on']>[1];

/** What the primary does for its workers: relays each envelope to the worker whose index is `to`. */
class Relay {
  private readonly workers = new Map<number, FakeChannel>();

  channel(index: number): FakeChannel {
    const channel = new FakeChannel(this);
    this.workers.set(index, channel);
    return channel;
  }

  route(message: Envelope | ControlMessage): void {
    if (message.gamev1 === 'ready' || message.gamev1 === 'connection') return;
    // The IPC channel serialises: the receiver never shares an object with the sender.
    const copy: unknown = JSON.parse(JSON.stringify(message));
    const target = this.workers.get(message.to);
    setImmediate(() => target?.deliver(copy));
  }
}

class FakeChannel implements IpcChannel {
  private readonly listeners = new Set<Listener>();
  constructor(private readonly relay: Relay) {}

  send(message: Envelope | ControlMessage): boolean {
    this.relay.route(message);
    return true;
  }
  on(_event: 'message', listener: Listener): this {
    this.listeners.add(listener);
    return this;
  }
  off(_event: 'message', listener: Listener): this {
    this.listeners.delete(listener);
    return this;
  }
  deliver(message: unknown): void {
    for (const listener of this.listeners) listener(message, undefined);
  }
}

/** One process's rooms: its manager, its clock, its registry. */
class Process {
  clock = START_TIME;
  readonly manager: RoomManager;
  readonly local: LocalRoomRegistry;
  readonly lapsed: [string, string][] = [];

  constructor(roomIdSuffix?: string) {
    this.manager = new RoomManager(new GameModes(), ROOM_SETTINGS, { maxPlayersPerRoom: 16, emptyRoomTimeoutMs: 3_600_000, roomIdSuffix }, {
      recorder: new FakeRecorder(),
      metrics: new FakeMetrics(),
      logger,
      now: () => this.clock,
      seed: () => 42,
    });
    this.local = new LocalRoomRegistry(this.manager, NODE);
  }

  /** Moves this process's clock on and runs its housekeeping once. */
  elapse(ms: number): void {
    this.clock += ms;
    for (let i = 0; i < TICK_RATE; i++) this.manager.tickSlice(0);
  }
}

interface Fixture {
  registry: RoomRegistry;
  /** The process `registry` belongs to. */
  home: Process;
  processes: Process[];
  close(): Promise<void>;
}

function localFixture(): Fixture {
  const home = new Process();
  return { registry: home.local, home, processes: [home], close: () => home.manager.close() };
}

function clusteredHost() {
  const relay = new Relay();
  const make = (index: number) => {
    const link = new WorkerLink(index, 2, relay.channel(index), logger);
    const process = new Process(link.roomIdSuffix);
    const registry = new ClusteredRoomRegistry(process.local, link, logger);
    registry.onReservationLapsed((roomId, playerId) => process.lapsed.push([roomId, playerId]));
    return { link, process, registry };
  };
  const one = make(1);
  const two = make(2);
  return {
    one,
    two,
    async close(): Promise<void> {
      one.link.close();
      two.link.close();
      await one.process.manager.close();
      await two.process.manager.close();
    },
  };
}

function clusteredFixture(): Fixture {
  const host = clusteredHost();
  return { registry: host.one.registry, home: host.one.process, processes: [host.one.process, host.two.process], close: host.close };
}

const IMPLEMENTATIONS: { name: string; make: () => Fixture }[] = [
  { name: 'LocalRoomRegistry', make: localFixture },
  { name: 'ClusteredRoomRegistry (process 1 of 2)', make: clusteredFixture },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const newRoom = (overrides: Partial<NewRoom> = {}): NewRoom => ({ name: 'room', gameMode: 'deathmatch', maxPlayers: 2, hostId: 'host', ...overrides });

const match = (players: string[], overrides: Partial<ReservedRoom> = {}): ReservedRoom => ({
  name: 'deathmatch match',
  gameMode: 'deathmatch',
  maxPlayers: players.length,
  hostId: players[0]!,
  region: 'eu',
  players: players.map((key) => ({ key, rating: 1500 })),
  reservationSeconds: 10,
  ...overrides,
});

for (const impl of IMPLEMENTATIONS) {
  describe(`${impl.name}: the RoomRegistry contract`, () => {
    const setup = (): Fixture => {
      const fixture = impl.make();
      cleanups.push(fixture.close);
      return fixture;
    };

    it('creates a room that describe and list show', async () => {
      const { registry } = setup();
      const info = await registry.create(newRoom({ name: 'Arena', maxPlayers: 3 }));
      expect(info).toMatchObject({ room_name: 'Arena', game_mode: 'deathmatch', host_id: 'host', max_players: 3, player_count: 0, status: 'waiting' });
      expect(await registry.describe(info.room_id)).toEqual({ ...info, players: [] });
      expect(await registry.list({})).toEqual([info]);
      expect(await registry.list({ gameMode: 'team_deathmatch' })).toEqual([]);
      const team = await registry.create(newRoom({ gameMode: 'team_deathmatch' }));
      expect((await registry.list({ gameMode: 'team_deathmatch' })).map((r) => r.room_id)).toEqual([team.room_id]);
    });

    it('reserves seats until the room is full, then refuses with room_full', async () => {
      const { registry } = setup();
      const { room_id } = await registry.create(newRoom({ maxPlayers: 2 }));
      await expect(registry.reserve(room_id, 'p1')).resolves.toMatchObject({ room_id });
      await registry.reserve(room_id, 'p2');
      // Reserving again for a player who holds a seat is fine.
      await expect(registry.reserve(room_id, 'p1')).resolves.toMatchObject({ room_id });
      await expect(registry.reserve(room_id, 'p3')).rejects.toMatchObject({ code: 'room_full', category: 'conflict' });
      expect(await registry.list({ joinable: true })).toEqual([]);
    });

    it('gives a seat back on leave; leaving a room one is not in is not_in_room', async () => {
      const { registry } = setup();
      const { room_id } = await registry.create(newRoom({ maxPlayers: 1 }));
      await registry.reserve(room_id, 'p1');
      await expect(registry.leave(room_id, 'p1')).resolves.toBeUndefined();
      await expect(registry.reserve(room_id, 'p2')).resolves.toMatchObject({ room_id });
      await expect(registry.leave(room_id, 'p1')).rejects.toMatchObject({ code: 'not_in_room' });
    });

    it('removes a room at once; removing an unknown one is fine', async () => {
      const { registry } = setup();
      const { room_id } = await registry.create(newRoom());
      await registry.remove(room_id);
      await expect(registry.describe(room_id)).rejects.toMatchObject({ code: 'room_not_found' });
      expect(await registry.list({})).toEqual([]);
      await expect(registry.remove(room_id)).resolves.toBeUndefined();
      await expect(registry.remove('room_unknown')).resolves.toBeUndefined();
    });

    it('creates a room with seats held for exactly the given players', async () => {
      const { registry } = setup();
      const hosted = await registry.createWithReservations(match(['a', 'b']));
      expect(hosted).toEqual({ roomId: expect.stringMatching(/^room_/), node: NODE });
      const details = await registry.describe(hosted.roomId);
      expect(details).toMatchObject({ room_id: hosted.roomId, room_name: 'deathmatch match', host_id: 'a', max_players: 2, player_count: 0, players: [] });
      await expect(registry.reserve(hosted.roomId, 'stranger')).rejects.toMatchObject({ code: 'room_full' });
      await expect(registry.reserve(hosted.roomId, 'a')).resolves.toMatchObject({ room_id: hosted.roomId });
      expect(await registry.list({ joinable: true })).toEqual([]);
      // Each of them holds a seat (leaving gives it up); nobody else does.
      await expect(registry.leave(hosted.roomId, 'stranger')).rejects.toMatchObject({ code: 'not_in_room' });
      await registry.leave(hosted.roomId, 'b');
      await expect(registry.leave(hosted.roomId, 'b')).rejects.toMatchObject({ code: 'not_in_room' });
      await expect(registry.reserve(hosted.roomId, 'stranger')).resolves.toMatchObject({ room_id: hosted.roomId });
    });

    it('answers room_not_found for unknown room ids', async () => {
      const { registry } = setup();
      for (const roomId of ['room_unknown', 'room_000000000000.w1']) {
        await expect(registry.describe(roomId)).rejects.toMatchObject({ code: 'room_not_found', category: 'not_found' });
        await expect(registry.reserve(roomId, 'p')).rejects.toMatchObject({ code: 'room_not_found' });
        await expect(registry.leave(roomId, 'p')).rejects.toMatchObject({ code: 'room_not_found' });
        await expect(registry.locate(roomId)).rejects.toMatchObject({ code: 'room_not_found' });
      }
    });

    it('locates a room of this process here', async () => {
      const { registry, home } = setup();
      const { room_id } = await registry.create(newRoom());
      const location = await registry.locate(room_id);
      expect(location).toEqual({ kind: 'here', room: home.manager.get(room_id) });
    });

    it('tells onReservationLapsed listeners about a reserved player who did not join in time', async () => {
      const fixture = setup();
      const { registry, processes } = fixture;
      const lapsed: [string, string][] = [];
      registry.onReservationLapsed((roomId, playerId) => lapsed.push([roomId, playerId]));
      const { roomId } = await registry.createWithReservations(match(['a', 'b']));
      const host = processes.find((process) => process.manager.list().some((room) => room.room_id === roomId))!;
      host.manager.get(roomId).join({ id: 'a', name: 'A' }, new FakeConnection());
      host.elapse(9_999);
      await settle();
      expect(lapsed).toEqual([]);
      host.elapse(1);
      await settle();
      expect(lapsed).toEqual([[roomId, 'b']]);
    });
  });
}

describe('ClusteredRoomRegistry across the processes of a host', () => {
  const setup = () => {
    const host = clusteredHost();
    cleanups.push(host.close);
    return host;
  };

  it('hosts matchmade rooms in each process in turn', async () => {
    const { one, two } = setup();
    const hosted: HostedRoom[] = [];
    for (let i = 0; i < 4; i++) hosted.push(await one.registry.createWithReservations(match([`a${i}`, `b${i}`])));
    expect(hosted.map((h) => h.roomId.slice(h.roomId.lastIndexOf('.')))).toEqual(['.w1', '.w2', '.w1', '.w2']);
    expect(hosted.every((h) => h.node === NODE)).toBe(true);
    expect(one.process.manager.list().map((r) => r.room_id)).toEqual([hosted[0]!.roomId, hosted[2]!.roomId]);
    expect(two.process.manager.list().map((r) => r.room_id)).toEqual([hosted[1]!.roomId, hosted[3]!.roomId]);
    // The sibling's room holds seats for exactly its players.
    const room = two.process.manager.get(hosted[1]!.roomId);
    expect(room.seatsTaken).toBe(2);
    room.join({ id: 'a1', name: 'A1' }, new FakeConnection());
    room.join({ id: 'b1', name: 'B1' }, new FakeConnection());
    expect(() => room.join({ id: 'x', name: 'X' }, new FakeConnection())).toThrow(expect.objectContaining({ code: 'room_full' }));
  });

  it('creates rooms made over HTTP in the process that takes the request', async () => {
    const { one, two } = setup();
    const first = await one.registry.create(newRoom());
    const second = await two.registry.create(newRoom());
    expect(first.room_id).toMatch(/\.w1$/);
    expect(second.room_id).toMatch(/\.w2$/);
  });

  it('carries calls about a room in process 2 made from process 1 there', async () => {
    const { one, two } = setup();
    const { room_id } = await two.registry.create(newRoom({ name: 'far away', maxPlayers: 2 }));
    const room = two.process.manager.get(room_id);

    await expect(one.registry.reserve(room_id, 'p1')).resolves.toMatchObject({ room_id, room_name: 'far away' });
    expect(room.seatsTaken).toBe(1);
    await one.registry.reserve(room_id, 'p2');
    await expect(one.registry.reserve(room_id, 'p3')).rejects.toMatchObject({ code: 'room_full', category: 'conflict' });

    room.join({ id: 'p1', name: 'P1' }, new FakeConnection());
    expect(await one.registry.describe(room_id)).toMatchObject({
      room_id,
      player_count: 1,
      players: [{ id: 'p1', name: 'P1', entity_id: 1, connected: true }],
    });

    await one.registry.leave(room_id, 'p1');
    expect(room.hasMember('p1')).toBe(false);
    expect(room.seatsTaken).toBe(1);
    await expect(one.registry.leave(room_id, 'p1')).rejects.toMatchObject({ code: 'not_in_room' });

    await one.registry.remove(room_id);
    expect(two.process.manager.roomCount).toBe(0);
    await expect(one.registry.describe(room_id)).rejects.toMatchObject({ code: 'room_not_found' });
    await expect(one.registry.reserve(room_id, 'p1')).rejects.toMatchObject({ code: 'room_not_found' });
    await expect(one.registry.leave(room_id, 'p1')).rejects.toMatchObject({ code: 'room_not_found' });
  });

  it('lists the rooms of both processes, with the filter applied in each', async () => {
    const { one, two } = setup();
    const here = await one.registry.create(newRoom({ name: 'here' }));
    const there = await two.registry.create(newRoom({ name: 'there' }));
    const team = await two.registry.create(newRoom({ name: 'team', gameMode: 'team_deathmatch' }));
    expect((await one.registry.list({})).map((r) => r.room_id)).toEqual([here.room_id, there.room_id, team.room_id]);
    expect((await two.registry.list({})).map((r) => r.room_id).sort()).toEqual([here.room_id, there.room_id, team.room_id].sort());
    expect((await one.registry.list({ gameMode: 'team_deathmatch' })).map((r) => r.room_id)).toEqual([team.room_id]);
    await one.registry.reserve(there.room_id, 'p1');
    await one.registry.reserve(there.room_id, 'p2');
    expect((await one.registry.list({ joinable: true })).map((r) => r.room_name)).toEqual(['here', 'team']);
  });

  it('locates a room of process 2 in the sibling, from its id alone', async () => {
    const { one, two } = setup();
    const { room_id } = await two.registry.create(newRoom());
    expect(await one.registry.locate(room_id)).toEqual({ kind: 'sibling', process: 2 });
    expect(await two.registry.locate(room_id)).toEqual({ kind: 'here', room: two.process.manager.get(room_id) });
    // An id naming no process of this host is looked up here.
    await expect(one.registry.locate('room_000000000000.w3')).rejects.toMatchObject({ code: 'room_not_found' });
  });

  it('reports a lapsed reservation of a room hosted in process 2 to process 1, which made it', async () => {
    const { one, two } = setup();
    await one.registry.createWithReservations(match(['a0', 'b0']));
    const { roomId } = await one.registry.createWithReservations(match(['a', 'b']));
    expect(roomId).toMatch(/\.w2$/);
    two.process.manager.get(roomId).join({ id: 'a', name: 'A' }, new FakeConnection());

    two.process.elapse(9_999);
    await settle();
    expect(one.process.lapsed).toEqual([]);
    two.process.elapse(1);
    await settle();
    expect(one.process.lapsed).toEqual([[roomId, 'b']]);
    expect(two.process.lapsed).toEqual([]);
    // Process 1's own match room has not lapsed: only process 2's clock moved.
    expect(one.process.manager.list()).toHaveLength(1);
  });

  it('reports a lapsed reservation of a room process 2 made for itself to process 2', async () => {
    const { one, two } = setup();
    const { roomId } = await two.registry.createWithReservations(match(['a', 'b']));
    expect(roomId).toMatch(/\.w1$/);
    const { roomId: own } = await two.registry.createWithReservations(match(['c', 'd']));
    expect(own).toMatch(/\.w2$/);
    one.process.elapse(10_000);
    two.process.elapse(10_000);
    await settle();
    expect(two.process.lapsed.sort()).toEqual(
      [
        [roomId, 'a'],
        [roomId, 'b'],
        [own, 'c'],
        [own, 'd'],
      ].sort(),
    );
    expect(one.process.lapsed).toEqual([]);
  });

  it('lets process 1 call off a match it hosted in process 2 when a player does not show up', async () => {
    const { one, two } = setup();
    const now = () => one.process.clock;
    const cache = new MemoryCache(now);
    const queue = new MemoryTicketQueue(now);
    const cancelled = vi.fn<(playerId: string, roomId: string, requeued: boolean) => void>();
    const service = new MatchmakingService(
      queue,
      one.registry,
      new GameModes(),
      cache,
      {
        policy: { minPlayers: 2, maxPlayers: 2, maxSkillDiff: 200, initialSkillWindow: 50, windowGrowthPerSecond: 10, enablePriorityQueue: true },
        joinTimeoutSeconds: 10,
        maxWaitSeconds: 60,
        intervalMs: 3_600_000,
      },
      {
        node: NODE,
        logger,
        now,
        metrics: { queueSize: () => undefined, matchFormed: () => undefined, timedOut: () => undefined },
      },
    );
    service.onMatchCancelled(cancelled);
    cleanups.push(() => cache.close());
    // The first matchmade room of process 1 is its own; the second goes to process 2.
    await one.registry.createWithReservations(match(['x', 'y']));
    for (const id of ['a', 'b']) await service.enqueue({ id, name: id, rating: 1500 }, { gameMode: 'deathmatch', region: 'eu' });
    await service.formRound();
    const status = await service.status('a');
    if (status?.status !== 'matched') throw new Error(`a is not matched: ${JSON.stringify(status)}`);
    expect(status.room_id).toMatch(/\.w2$/);
    const a = new FakeConnection();
    two.process.manager.get(status.room_id).join({ id: 'a', name: 'a' }, a);

    two.process.elapse(10_000);
    await settle();
    expect(a.leftRooms).toEqual([status.room_id]);
    expect(two.process.manager.roomCount).toBe(0);
    expect(cancelled).toHaveBeenCalledWith('a', status.room_id, true);
    expect(await service.status('a')).toMatchObject({ status: 'queued', ticket: { priority: true } });
    expect(await service.status('b')).toMatchObject({ status: 'cancelled', reason: 'did_not_join' });
  });
});
