/**
 * Room on its own: seats, reservations, join/leave/reconnect, the match cycle and its game record, inputs and
 * teams. Everything around it is faked (connections, recorder, metrics) and time only moves when a test moves
 * the clock or calls tick(), so every test runs in milliseconds.
 */
import { describe, expect, it, vi } from 'vitest';
import { GameModes, type GameSettings } from '../src/games/index.js';
import type { ClientMessageOf, JsonPlayerState, JsonSnapshot } from '../src/protocol/index.js';
import { Room, type RoomSettings } from '../src/rooms/index.js';
import { FakeConnection, fakeRooms, ROOM_SETTINGS, settle, thrownCode } from './support/rooms.js';

interface HarnessOptions {
  settings?: Partial<Omit<RoomSettings, 'game'>>;
  game?: Partial<GameSettings>;
  seed?: () => number;
}

function harness(options: HarnessOptions = {}) {
  const settings: RoomSettings = { ...ROOM_SETTINGS, ...options.settings, game: { ...ROOM_SETTINGS.game, ...options.game } };
  const rooms = fakeRooms({ settings, seed: options.seed });
  return { ...rooms, room: rooms.create };
}

const player = (id: string) => ({ id, name: `Name of ${id}` });

function join(room: Room, id: string): FakeConnection {
  const connection = new FakeConnection();
  room.join(player(id), connection);
  return connection;
}

function ticks(room: Room, count: number): void {
  for (let i = 0; i < count; i++) room.tick();
}

type InputBody = ClientMessageOf<'game_input'>['input'];
const gameInput = (roomId: string, sequence: number, input: InputBody): ClientMessageOf<'game_input'> => ({
  type: 'game_input',
  room_id: roomId,
  sequence,
  input,
});

const find = (snapshot: JsonSnapshot, id: string): JsonPlayerState => {
  const state = snapshot.players.find((p) => p.id === id);
  if (!state) throw new Error(`${id} is not in the snapshot`);
  return state;
};

/**
 * Walks `shooterId` within range of `victimId` and shoots until the victim dies once, reading positions from
 * the shooter's own snapshots. Returns the next free input sequence.
 */
function killOnce(room: Room, shooterId: string, view: FakeConnection, victimId: string, sequence = 1): number {
  room.tick();
  const deathsBefore = find(view.lastSnapshot(), victimId).deaths;
  for (let step = 0; step < 600; step++) {
    const snapshot = view.lastSnapshot();
    const me = find(snapshot, shooterId);
    const them = find(snapshot, victimId);
    if (them.deaths > deathsBefore) return sequence;
    const dx = them.position.x - me.position.x;
    const dz = them.position.z - me.position.z;
    if (!them.alive) {
      // Respawning: nothing to shoot at yet.
    } else if (Math.hypot(dx, dz) > 10) {
      room.input(shooterId, gameInput(room.id, sequence++, { movement: { x: dx, y: 0, z: dz } }));
    } else {
      const aim = { x: dx, y: them.position.y + 1.0 - (me.position.y + 1.6), z: dz };
      room.input(shooterId, gameInput(room.id, sequence++, { movement: { x: 0, y: 0, z: 0 }, actions: ['shoot'], aim }));
    }
    room.tick();
  }
  throw new Error(`${shooterId} did not kill ${victimId}`);
}

describe('Room seats', () => {
  it('seats up to max_players and refuses the next one with room_full', () => {
    const h = harness();
    const room = h.room({ maxPlayers: 2 });
    join(room, 'a');
    join(room, 'b');
    expect(room.playerCount).toBe(2);
    expect(room.seatsTaken).toBe(2);
    expect(thrownCode(() => room.join(player('c'), new FakeConnection()))).toBe('room_full');
    expect(thrownCode(() => room.reserve('c'))).toBe('room_full');
    expect(room.hasMember('c')).toBe(false);
    expect(room.memberIds()).toEqual(['a', 'b']);
  });

  it('lets a seated player join again without taking another seat', () => {
    const h = harness();
    const room = h.room({ maxPlayers: 1 });
    join(room, 'a');
    const again = join(room, 'a');
    expect(room.seatsTaken).toBe(1);
    expect(again.of('room_joined')[0]).toMatchObject({ player_id: 'a', resumed: true });
  });

  it('counts reservations against the seats; a reserved player joins into its own seat', () => {
    const h = harness();
    const room = h.room({ maxPlayers: 2 });
    room.reserve('r');
    room.reserve('r');
    expect(room.seatsTaken).toBe(1);
    join(room, 'a');
    expect(room.seatsTaken).toBe(2);
    expect(room.playerCount).toBe(1);
    expect(thrownCode(() => room.join(player('b'), new FakeConnection()))).toBe('room_full');
    // The reservation is the seat: joining turns it into a member without needing a free one.
    join(room, 'r');
    expect(room.seatsTaken).toBe(2);
    expect(room.memberIds()).toEqual(['a', 'r']);
    // Reserving for a seated member is a no-op, not room_full.
    expect(thrownCode(() => room.reserve('a'))).toBeUndefined();
  });

  it('lets reservations lapse after reservationSeconds, telling onReservationLapsed', () => {
    const h = harness();
    const lapsed: [string, string][] = [];
    const room = h.room({ maxPlayers: 1, onReservationLapsed: (roomId, playerId) => lapsed.push([roomId, playerId]) });
    room.reserve('r');
    h.advance(h.settings.reservationSeconds * 1000 - 1);
    room.expireSeats();
    expect(room.seatsTaken).toBe(1);
    expect(lapsed).toEqual([]);
    h.advance(1);
    room.expireSeats();
    expect(room.seatsTaken).toBe(0);
    expect(lapsed).toEqual([[room.id, 'r']]);
    room.expireSeats();
    expect(lapsed).toHaveLength(1);
    // The seat is free again.
    join(room, 'b');
    expect(room.memberIds()).toEqual(['b']);
  });

  it('takes the room option reservationSeconds over the settings', () => {
    const h = harness();
    const lapsed: string[] = [];
    const room = h.room({ reservationSeconds: 2, onReservationLapsed: (_roomId, playerId) => lapsed.push(playerId) });
    room.reserve('r');
    h.advance(1_999);
    room.expireSeats();
    expect(lapsed).toEqual([]);
    h.advance(1);
    room.expireSeats();
    expect(lapsed).toEqual(['r']);
  });

  it('does not lapse a reservation that was used to join', () => {
    const h = harness();
    const lapsed: string[] = [];
    const room = h.room({ onReservationLapsed: (_roomId, playerId) => lapsed.push(playerId) });
    room.reserve('r');
    join(room, 'r');
    h.advance(60_000);
    room.expireSeats();
    expect(lapsed).toEqual([]);
    expect(room.hasMember('r')).toBe(true);
  });
});

describe('Room join', () => {
  it('sends room_joined then a full snapshot, and tells the others player_joined', () => {
    const h = harness();
    const room = h.room({ name: 'Arena', maxPlayers: 3 });
    const a = join(room, 'a');
    expect(a.types).toEqual(['room_joined', 'game_snapshot']);
    const b = join(room, 'b');
    expect(b.types).toEqual(['room_joined', 'game_snapshot']);

    const joined = b.of('room_joined')[0]!;
    expect(joined).toMatchObject({
      room_id: room.id,
      player_id: 'b',
      tick_rate: 20,
      snapshot_rate: 20,
      resumed: false,
      room: { room_id: room.id, room_name: 'Arena', game_mode: 'deathmatch', max_players: 3, player_count: 2, status: 'playing' },
    });
    expect(joined.players).toEqual([
      { id: 'a', name: 'Name of a', entity_id: expect.any(Number), connected: true },
      { id: 'b', name: 'Name of b', entity_id: joined.entity_id, connected: true },
    ]);
    expect(joined.players[0]!.entity_id).not.toBe(joined.entity_id);

    const snapshot = b.lastSnapshot();
    expect(snapshot.players.map((p) => [p.id, p.name, p.entity_id])).toEqual([
      ['a', 'Name of a', joined.players[0]!.entity_id],
      ['b', 'Name of b', joined.entity_id],
    ]);

    // a hears about b; b is not told about itself.
    expect(a.types).toEqual(['room_joined', 'game_snapshot', 'player_joined']);
    expect(a.of('player_joined')[0]).toEqual({
      type: 'player_joined',
      room_id: room.id,
      player: { id: 'b', name: 'Name of b', entity_id: joined.entity_id, connected: true },
    });
    expect(b.of('player_joined')).toEqual([]);
    expect(room.players()).toEqual(joined.players);
    expect(h.metrics.sent.length).toBe(2);
  });

  it('streams snapshots at the snapshot rate to connected, uncongested members', () => {
    const h = harness({ settings: { snapshotRate: 10 } });
    const room = h.room();
    const a = join(room, 'a');
    const b = join(room, 'b');
    a.clear();
    b.clear();
    b.congested = true;
    ticks(room, 4);
    expect(a.snapshots().map((s) => s.tick)).toEqual([1, 3]);
    expect(b.snapshots()).toEqual([]);
    expect(h.metrics.skipped).toBe(2);
  });
});

describe('Room reconnect', () => {
  it('resumes the same entity, with its score, when the player comes back within the grace period', () => {
    const h = harness();
    const room = h.room();
    const a = join(room, 'a');
    const b = join(room, 'b');
    killOnce(room, 'a', a, 'b');
    const entity = a.of('room_joined')[0]!.entity_id;
    expect(find(a.lastSnapshot(), 'a').score).toBe(1);

    room.disconnect('a', a);
    expect(b.of('player_disconnected')).toEqual([
      { type: 'player_disconnected', room_id: room.id, player: { id: 'a', name: 'Name of a', entity_id: entity, connected: false } },
    ]);
    expect(room.players().find((p) => p.id === 'a')).toMatchObject({ connected: false });
    expect(room.seatsTaken).toBe(2);
    a.clear();
    ticks(room, 3);
    expect(a.messages).toEqual([]);

    h.advance(h.settings.reconnectGraceSeconds * 1000 - 1);
    room.expireSeats();
    const back = join(room, 'a');
    expect(back.types).toEqual(['room_joined', 'game_snapshot']);
    expect(back.of('room_joined')[0]).toMatchObject({ player_id: 'a', entity_id: entity, resumed: true });
    const me = find(back.lastSnapshot(), 'a');
    expect(me).toMatchObject({ entity_id: entity, score: 1 });
    expect(b.of('player_reconnected')).toEqual([
      { type: 'player_reconnected', room_id: room.id, player: { id: 'a', name: 'Name of a', entity_id: entity, connected: true } },
    ]);
    // The seat is no longer on the grace clock.
    h.advance(60_000);
    room.expireSeats();
    expect(room.hasMember('a')).toBe(true);
  });

  it('ignores a disconnect of a connection the player no longer uses', () => {
    const h = harness();
    const room = h.room();
    const first = join(room, 'a');
    const second = join(room, 'a');
    room.disconnect('a', first);
    expect(room.players()).toMatchObject([{ id: 'a', connected: true }]);
    room.disconnect('a', second);
    expect(room.players()).toMatchObject([{ id: 'a', connected: false }]);
  });

  it('makes the player leave with reason timeout when the grace period runs out', () => {
    const h = harness();
    const room = h.room();
    const a = join(room, 'a');
    const b = join(room, 'b');
    room.disconnect('a', a);
    h.advance(h.settings.reconnectGraceSeconds * 1000 - 1);
    room.expireSeats();
    expect(room.hasMember('a')).toBe(true);
    h.advance(1);
    room.expireSeats();
    expect(room.hasMember('a')).toBe(false);
    expect(room.seatsTaken).toBe(1);
    expect(b.of('player_left')).toEqual([
      { type: 'player_left', room_id: room.id, player: expect.objectContaining({ id: 'a', connected: false }), reason: 'timeout' },
    ]);
    // A later join is a new seat with a new entity.
    const again = join(room, 'a');
    expect(again.of('room_joined')[0]).toMatchObject({ resumed: false });
    expect(again.of('room_joined')[0]!.entity_id).not.toBe(a.of('room_joined')[0]!.entity_id);
  });

  it('with a reconnect grace of 0, a dropped connection leaves at once', () => {
    const h = harness({ settings: { reconnectGraceSeconds: 0 } });
    const room = h.room();
    const a = join(room, 'a');
    const b = join(room, 'b');
    room.disconnect('a', a);
    expect(room.hasMember('a')).toBe(false);
    expect(b.of('player_left')).toMatchObject([{ player: { id: 'a' }, reason: 'disconnected' }]);
    expect(b.of('player_disconnected')).toEqual([]);
  });
});

describe('Room leave', () => {
  it('tells the leaving connection leftRoom and room_left, and the others player_left', () => {
    const h = harness();
    const room = h.room();
    const a = join(room, 'a');
    const b = join(room, 'b');
    const entity = a.of('room_joined')[0]!.entity_id;
    a.clear();
    room.leave('a', 'left');
    expect(a.messages).toEqual([{ type: 'room_left', room_id: room.id }]);
    expect(a.leftRooms).toEqual([room.id]);
    expect(b.of('player_left')).toEqual([
      { type: 'player_left', room_id: room.id, player: { id: 'a', name: 'Name of a', entity_id: entity, connected: true }, reason: 'left' },
    ]);
    expect(b.leftRooms).toEqual([]);
    expect(room.memberIds()).toEqual(['b']);
    ticks(room, 2);
    expect(b.lastSnapshot().players.map((p) => p.id)).toEqual(['b']);
    expect(a.of('game_snapshot')).toEqual([]);
  });

  it('refuses a player who is not in the room with not_in_room', () => {
    const h = harness();
    const room = h.room();
    join(room, 'a');
    expect(thrownCode(() => room.leave('stranger', 'left'))).toBe('not_in_room');
    expect(thrownCode(() => room.input('stranger', gameInput(room.id, 1, { movement: { x: 1, y: 0, z: 0 } })))).toBe('not_in_room');
    expect(thrownCode(() => room.acknowledge('stranger', 1))).toBe('not_in_room');
    expect(room.memberIds()).toEqual(['a']);
  });

  it('lets a reserved player give its seat up', () => {
    const h = harness();
    const room = h.room({ maxPlayers: 1 });
    room.reserve('r');
    room.leave('r', 'left');
    expect(room.seatsTaken).toBe(0);
    expect(thrownCode(() => room.leave('r', 'left'))).toBe('not_in_room');
  });
});

describe('Room empty clock', () => {
  it('counts how long the room has had no player and no reservation', () => {
    const h = harness();
    const room = h.room();
    h.advance(5_000);
    expect(room.emptyFor(h.now())).toBe(5_000);

    const a = join(room, 'a');
    h.advance(10_000);
    expect(room.emptyFor(h.now())).toBe(0);
    room.leave('a', 'left');
    expect(a.leftRooms).toEqual([room.id]);
    h.advance(3_000);
    expect(room.emptyFor(h.now())).toBe(3_000);

    room.reserve('r');
    h.advance(4_000);
    expect(room.emptyFor(h.now())).toBe(0);
    h.advance(6_000);
    room.expireSeats();
    h.advance(2_000);
    expect(room.emptyFor(h.now())).toBe(2_000);
  });

  it('keeps a room with only disconnected members non-empty until their grace runs out', () => {
    const h = harness();
    const room = h.room();
    const a = join(room, 'a');
    room.disconnect('a', a);
    h.advance(4_000);
    expect(room.emptyFor(h.now())).toBe(0);
    h.advance(1_000);
    room.expireSeats();
    h.advance(500);
    expect(room.emptyFor(h.now())).toBe(500);
  });
});

describe('Room match cycle', () => {
  it('ends at the time limit, records the result, and restarts after the delay with a new seed', async () => {
    const seeds = [42, 7];
    const seed = vi.fn(() => seeds.shift() ?? 99);
    const h = harness({ game: { timeLimitSeconds: 1 }, settings: { restartDelaySeconds: 2 }, seed });
    const room = h.room({ region: 'eu-west' });
    const a = join(room, 'a');
    const b = join(room, 'b');
    await settle();
    expect(h.recorder.started).toEqual([
      { roomId: room.id, gameMode: 'deathmatch', region: 'eu-west', seed: 42, settings: { ...h.settings.game, timeLimitSeconds: 1 } },
    ]);

    ticks(room, 19);
    expect(a.of('match_ended')).toEqual([]);
    room.tick();
    const ended = a.of('match_ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ room_id: room.id, reason: 'time_limit' });
    expect(ended[0]!.results).toEqual([
      { player_id: 'a', name: 'Name of a', score: 0, deaths: 0, rank: 1 },
      { player_id: 'b', name: 'Name of b', score: 0, deaths: 0, rank: 1 },
    ]);
    expect(b.of('match_ended')).toEqual(ended);
    expect(room.info().status).toBe('finished');

    await settle();
    expect(h.recorder.finished).toHaveLength(1);
    const { gameId, results } = h.recorder.finished[0]!;
    expect(gameId).toBe('game-1');
    expect(results).toMatchObject({ reason: 'time_limit', players: ended[0]!.results, ticks: 20 });
    expect(results.teams).toBeUndefined();
    expect(results.replay).toBeInstanceOf(Uint8Array);
    // The record replays to the same outcome.
    const replayed = new GameModes().replay('deathmatch', h.settings.game, 42, results.replay!);
    expect(replayed.players.map((p) => [p.score, p.deaths, p.rank])).toEqual([
      [0, 0, 1],
      [0, 0, 1],
    ]);

    ticks(room, 2 * 20 - 1);
    expect(a.of('match_started')).toEqual([]);
    room.tick();
    expect(a.of('match_started')).toEqual([{ type: 'match_started', room_id: room.id }]);
    expect(b.of('match_started')).toHaveLength(1);
    expect(room.info().status).toBe('playing');
    expect(seed).toHaveBeenCalledTimes(2);
    await settle();
    expect(h.recorder.started.map((m) => m.seed)).toEqual([42, 7]);
    expect(h.recorder.finished).toHaveLength(1);

    // The new match runs its full time again.
    ticks(room, 19);
    expect(a.of('match_ended')).toHaveLength(1);
    room.tick();
    expect(a.of('match_ended')).toHaveLength(2);
    await settle();
    expect(h.recorder.finished.map((f) => f.gameId)).toEqual(['game-1', 'game-2']);
  });

  it('ends at the score limit and ranks the killer first', async () => {
    const h = harness({ game: { scoreLimit: 1 } });
    const room = h.room();
    const a = join(room, 'a');
    join(room, 'b');
    killOnce(room, 'a', a, 'b');
    const ended = a.of('match_ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      reason: 'score_limit',
      results: [
        { player_id: 'a', score: 1, deaths: 0, rank: 1 },
        { player_id: 'b', score: 0, deaths: 1, rank: 2 },
      ],
    });
    await settle();
    expect(h.recorder.finished[0]!.results).toMatchObject({ reason: 'score_limit', players: ended[0]!.results });
    const replayed = new GameModes().replay('deathmatch', { ...h.settings.game, scoreLimit: 1 }, 42, h.recorder.finished[0]!.results.replay!);
    expect(replayed.players.map((p) => [p.score, p.deaths])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it('records a match disposed while running as aborted', async () => {
    const h = harness();
    const room = h.room();
    join(room, 'a');
    ticks(room, 5);
    await room.dispose();
    expect(h.recorder.started).toHaveLength(1);
    expect(h.recorder.aborted).toEqual(['game-1']);
    expect(h.recorder.finished).toEqual([]);
  });

  it('aborts nothing when disposed between matches or before anyone joined', async () => {
    const h = harness({ game: { timeLimitSeconds: 1 } });
    const idle = h.room();
    await idle.dispose();
    const room = h.room();
    join(room, 'a');
    ticks(room, 20);
    await room.dispose();
    expect(h.recorder.started).toHaveLength(1);
    expect(h.recorder.finished).toHaveLength(1);
    expect(h.recorder.aborted).toEqual([]);
  });

  // A player joining during the restart delay must not open a record for the match that already finished:
  // the restart opens the next one, and a record opened before it would stay in progress for good.
  it('starts no extra game record when a player joins between matches', async () => {
    const h = harness({ game: { timeLimitSeconds: 1 }, settings: { restartDelaySeconds: 1 } });
    const room = h.room();
    join(room, 'a');
    ticks(room, 20);
    join(room, 'late');
    ticks(room, 20);
    expect(room.info().status).toBe('playing');
    await room.dispose();
    // One record per match: the finished one and the one running when the room went.
    expect(h.recorder.started).toHaveLength(2);
    const closed = [...h.recorder.finished.map((f) => f.gameId), ...h.recorder.aborted];
    expect(closed.sort()).toEqual(h.recorder.started.map((_, i) => `game-${i + 1}`).sort());
  });

  it('logs a recorder that cannot make a write durable instead of throwing into the tick', async () => {
    const h = harness({ game: { timeLimitSeconds: 1 }, settings: { restartDelaySeconds: 1 } });
    h.recorder.failWrites = true;
    const error = vi.spyOn(h.logger, 'error');
    const room = h.room();
    const a = join(room, 'a');
    ticks(room, 20);
    expect(a.of('match_ended')).toHaveLength(1);
    await settle();
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ room: room.id }), 'recording the game failed');
    ticks(room, 20);
    expect(a.of('match_started')).toHaveLength(1);
    await room.dispose();
  });
});

describe('Room inputs', () => {
  it('counts inputs the game refuses (repeated or stale sequences) in inputRefused', () => {
    const h = harness();
    const room = h.room();
    const a = join(room, 'a');
    room.input('a', gameInput(room.id, 1, { movement: { x: 1, y: 0, z: 0 } }));
    expect(h.metrics.refused).toBe(0);
    room.input('a', gameInput(room.id, 1, { movement: { x: 1, y: 0, z: 0 } }));
    expect(h.metrics.refused).toBe(1);
    room.tick();
    expect(find(a.lastSnapshot(), 'a').last_input_sequence).toBe(1);
    room.input('a', gameInput(room.id, 1, { movement: { x: 0, y: 0, z: 1 } }));
    room.input('a', gameInput(room.id, 0, { movement: { x: 0, y: 0, z: 1 } }));
    expect(h.metrics.refused).toBe(3);
    room.input('a', gameInput(room.id, 2, { movement: { x: 0, y: 0, z: 1 } }));
    expect(h.metrics.refused).toBe(3);
    room.tick();
    const game = a.of('game_snapshot');
    expect(game[game.length - 1]).toMatchObject({ ack: 2 });
  });
});

describe('Room teams', () => {
  it('puts players of a team_deathmatch room in teams 1 and 2', () => {
    const h = harness();
    const room = h.room({ gameMode: 'team_deathmatch', maxPlayers: 4 });
    const connections = ['a', 'b', 'c', 'd'].map((id) => join(room, id));
    const ownTeams = connections.map((connection, index) => {
      const joined = connection.of('room_joined')[0]!;
      return joined.players.find((p) => p.id === ['a', 'b', 'c', 'd'][index])!.team;
    });
    expect(ownTeams).toEqual([1, 2, 1, 2]);
    expect(room.players().map((p) => [p.id, p.team])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 1],
      ['d', 2],
    ]);
    expect(connections[0]!.of('player_joined').map((m) => m.player.team)).toEqual([2, 1, 2]);
  });

  it('leaves the team out in free-for-all', () => {
    const h = harness();
    const room = h.room();
    join(room, 'a');
    expect(room.players()[0]).not.toHaveProperty('team');
  });

  it('seats reserved players on the teams planTeams balanced by rating', () => {
    const h = harness();
    const room = h.room({ gameMode: 'team_deathmatch', maxPlayers: 4 });
    const entrants = [
      { key: 'p1', rating: 1500 },
      { key: 'p2', rating: 1490 },
      { key: 'p3', rating: 1410 },
      { key: 'p4', rating: 1400 },
    ];
    room.planTeams(entrants);
    for (const { key } of entrants) room.reserve(key);
    for (const { key } of entrants) join(room, key);
    // Strongest first onto the emptier, then weaker team: {p1, p4} 2900 against {p2, p3} 2900. Joining in this
    // order without a plan would give 1, 2, 1, 2.
    expect(Object.fromEntries(room.players().map((p) => [p.id, p.team]))).toEqual({ p1: 1, p2: 2, p3: 2, p4: 1 });
  });

  it('records team results of a team match', async () => {
    const h = harness({ game: { timeLimitSeconds: 1 } });
    const room = h.room({ gameMode: 'team_deathmatch', maxPlayers: 2 });
    const a = join(room, 'a');
    join(room, 'b');
    ticks(room, 20);
    const ended = a.of('match_ended')[0]!;
    expect(ended.results.map((r) => [r.player_id, r.team])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    await settle();
    expect(h.recorder.finished[0]!.results.teams).toEqual([
      { team: 1, score: 0, deaths: 0, rank: 1 },
      { team: 2, score: 0, deaths: 0, rank: 1 },
    ]);
    expect(h.recorder.started[0]!.settings.friendlyFire).toBe(false);
  });
});

describe('Room constructed directly', () => {
  it('works without a manager', () => {
    const h = harness();
    const room = new Room(
      'room_direct',
      { name: 'direct', gameMode: 'deathmatch', maxPlayers: 2, hostId: 'host', region: 'default' },
      new GameModes().get('deathmatch'),
      h.settings,
      h.deps,
    );
    const a = join(room, 'a');
    expect(a.of('room_joined')[0]).toMatchObject({ room_id: 'room_direct', room: { room_id: 'room_direct', created_at: new Date(h.now()).toISOString() } });
  });
});
