/**
 * RoomManager with fakes around it: creation and its validation, lookup and listing, the sliced tick with its
 * once-a-second housekeeping (seat expiry, disposal of empty rooms) and shutdown. Time is a fake clock.
 */
import { describe, expect, it, vi } from 'vitest';
import { DEATHMATCH, GameModes, TEAM_DEATHMATCH, type GameSettings } from '../src/games/index.js';
import type { ManagerLimits, RoomSettings } from '../src/rooms/index.js';
import { FakeConnection, fakeRooms, ROOM_SETTINGS, settle, thrownCode } from './support/rooms.js';

const BASE_LIMITS: ManagerLimits = { maxPlayersPerRoom: 10, emptyRoomTimeoutMs: 30_000 };

function harness(options: { limits?: Partial<ManagerLimits>; game?: Partial<GameSettings>; modes?: GameModes } = {}) {
  const settings: RoomSettings = { ...ROOM_SETTINGS, game: { ...ROOM_SETTINGS.game, ...options.game } };
  const rooms = fakeRooms({ settings, limits: { ...BASE_LIMITS, ...options.limits }, modes: options.modes });
  const { manager } = rooms;
  return {
    ...rooms,
    /** One whole tick interval: every slice once. */
    cycle(): void {
      for (let slice = 0; slice < manager.slices; slice++) manager.tickSlice(slice);
    },
    /** A second of cycles: housekeeping runs once. */
    second(): void {
      for (let i = 0; i < settings.game.tickRate; i++) this.cycle();
    },
  };
}

describe('RoomManager.create', () => {
  it('refuses an unknown game mode with unsupported_game_mode', () => {
    const h = harness();
    expect(thrownCode(() => h.create({ gameMode: 'chess' }))).toBe('unsupported_game_mode');
    expect(thrownCode(() => h.manager.seatLimit('chess'))).toBe('unsupported_game_mode');
    expect(h.manager.roomCount).toBe(0);
  });

  it('refuses max_players outside 1..seatLimit with invalid_room', () => {
    const h = harness();
    expect(h.manager.seatLimit('deathmatch')).toBe(10);
    for (const maxPlayers of [0, -1, 1.5, 11, Number.NaN]) {
      expect(thrownCode(() => h.create({ maxPlayers })), `max_players ${maxPlayers}`).toBe('invalid_room');
    }
    expect(h.manager.roomCount).toBe(0);
    expect(h.create({ maxPlayers: 1 }).options.maxPlayers).toBe(1);
    expect(h.create({ maxPlayers: 10 }).options.maxPlayers).toBe(10);
    expect(h.manager.roomCount).toBe(2);
  });

  it('bounds max_players by the room limit, the entity cap and the mode, whichever is least', () => {
    const duel = { ...TEAM_DEATHMATCH, name: 'duel', maxPlayers: 2 };
    const modes = new GameModes([DEATHMATCH, duel]);
    expect(harness({ limits: { maxPlayersPerRoom: 10 }, game: { maxEntities: 16 }, modes }).manager.seatLimit('deathmatch')).toBe(10);
    const byEntities = harness({ limits: { maxPlayersPerRoom: 100 }, game: { maxEntities: 12 }, modes });
    expect(byEntities.manager.seatLimit('deathmatch')).toBe(12);
    expect(thrownCode(() => byEntities.create({ maxPlayers: 13 }))).toBe('invalid_room');
    expect(byEntities.manager.seatLimit('duel')).toBe(2);
    expect(thrownCode(() => byEntities.create({ gameMode: 'duel', maxPlayers: 3 }))).toBe('invalid_room');
    expect(byEntities.create({ gameMode: 'duel', maxPlayers: 2 }).options.gameMode).toBe('duel');
  });

  it('gives rooms unique ids ending in the roomIdSuffix, and a default region', () => {
    const plain = harness();
    const suffixed = harness({ limits: { roomIdSuffix: '.w3' } });
    const ids = Array.from({ length: 5 }, () => suffixed.create().id);
    for (const id of ids) expect(id).toMatch(/^room_[0-9a-f]{12}\.w3$/);
    expect(new Set(ids).size).toBe(5);
    const room = plain.create();
    expect(room.id).toMatch(/^room_[0-9a-f]{12}$/);
    expect(room.options.region).toBe('default');
    expect(plain.create({ region: 'eu' }).options.region).toBe('eu');
  });
});

describe('RoomManager lookup and listing', () => {
  it('gets rooms by id; an unknown id is room_not_found', async () => {
    const h = harness();
    const room = h.create();
    expect(h.manager.get(room.id)).toBe(room);
    expect(thrownCode(() => h.manager.get('room_nope'))).toBe('room_not_found');
    expect(thrownCode(() => h.manager.reserve('room_nope', 'p'))).toBe('room_not_found');
    await expect(h.manager.remove('room_nope')).resolves.toBeUndefined();
  });

  it('lists rooms, filtered by game mode and by free seats', () => {
    const h = harness();
    const dm = h.create({ name: 'dm', maxPlayers: 1 });
    const tdm = h.create({ name: 'tdm', gameMode: 'team_deathmatch', maxPlayers: 2 });
    expect(h.manager.list().map((r) => r.room_id)).toEqual([dm.id, tdm.id]);
    expect(h.manager.list({ gameMode: 'team_deathmatch' }).map((r) => r.room_name)).toEqual(['tdm']);
    expect(h.manager.list({ gameMode: 'deathmatch' }).map((r) => r.room_name)).toEqual(['dm']);
    expect(h.manager.list({ joinable: true })).toHaveLength(2);
    // A reservation takes the dm room's only seat.
    expect(h.manager.reserve(dm.id, 'p')).toBe(dm);
    expect(h.manager.list({ joinable: true }).map((r) => r.room_name)).toEqual(['tdm']);
    tdm.join({ id: 'a', name: 'A' }, new FakeConnection());
    tdm.join({ id: 'b', name: 'B' }, new FakeConnection());
    expect(h.manager.list({ joinable: true })).toEqual([]);
    expect(h.manager.list({ joinable: false })).toHaveLength(2);
    expect(h.manager.list()[1]).toMatchObject({ room_id: tdm.id, game_mode: 'team_deathmatch', max_players: 2, player_count: 2, status: 'playing' });
    expect(h.manager.playerCount).toBe(2);
    expect(h.manager.roomCount).toBe(2);
  });

  it('removes one room at once, recording its running match as aborted', async () => {
    const h = harness();
    const room = h.create();
    const other = h.create();
    room.join({ id: 'a', name: 'A' }, new FakeConnection());
    await h.manager.remove(room.id);
    expect(thrownCode(() => h.manager.get(room.id))).toBe('room_not_found');
    expect(h.manager.list().map((r) => r.room_id)).toEqual([other.id]);
    expect(h.recorder.aborted).toEqual(['game-1']);
    // A removed room is no longer ticked.
    const tick = vi.spyOn(room, 'tick');
    h.cycle();
    expect(tick).not.toHaveBeenCalled();
  });
});

describe('RoomManager.tickSlice', () => {
  it('spreads rooms over the slices and ticks each room in exactly one of them', () => {
    const h = harness();
    expect(h.manager.slices).toBe(4);
    const rooms = Array.from({ length: 8 }, () => h.create());
    const ticked: string[][] = [];
    const spies = rooms.map((room) => vi.spyOn(room, 'tick'));
    for (let slice = 0; slice < 4; slice++) {
      for (const spy of spies) spy.mockClear();
      h.manager.tickSlice(slice);
      ticked.push(rooms.filter((_, i) => spies[i]!.mock.calls.length === 1).map((room) => room.id));
    }
    expect(ticked.map((slice) => slice.length)).toEqual([2, 2, 2, 2]);
    expect(new Set(ticked.flat())).toEqual(new Set(rooms.map((room) => room.id)));
    // Filled evenly in creation order: room i in slice i % 4.
    expect(ticked[0]).toEqual([rooms[0]!.id, rooms[4]!.id]);
  });

  it('fills the emptiest slice when rooms come and go', async () => {
    const h = harness();
    const rooms = Array.from({ length: 4 }, () => h.create());
    await h.manager.remove(rooms[2]!.id);
    const replacement = h.create();
    const tick = vi.spyOn(replacement, 'tick');
    h.manager.tickSlice(2);
    expect(tick).toHaveBeenCalledTimes(1);
  });

  it('runs housekeeping once every tickRate cycles of slice 0', () => {
    const h = harness();
    const room = h.create();
    const expire = vi.spyOn(room, 'expireSeats');
    for (let i = 0; i < 19; i++) h.cycle();
    // Other slices never count.
    for (let i = 0; i < 40; i++) h.manager.tickSlice(1);
    expect(expire).not.toHaveBeenCalled();
    h.manager.tickSlice(0);
    expect(expire).toHaveBeenCalledTimes(1);
    h.second();
    expect(expire).toHaveBeenCalledTimes(2);
  });

  it('expires lapsed reservations and reconnect graces in housekeeping', () => {
    const h = harness();
    const lapsed: string[] = [];
    const room = h.create({ onReservationLapsed: (_roomId, playerId) => lapsed.push(playerId) });
    room.reserve('r');
    const a = new FakeConnection();
    room.join({ id: 'a', name: 'A' }, a);
    room.join({ id: 'b', name: 'B' }, new FakeConnection());
    room.disconnect('a', a);
    h.advance(5_000);
    h.second();
    expect(room.hasMember('a')).toBe(false);
    expect(lapsed).toEqual([]);
    h.advance(5_000);
    h.second();
    expect(lapsed).toEqual(['r']);
    expect(room.seatsTaken).toBe(1);
  });

  it('disposes rooms left empty for emptyRoomTimeoutMs, and only those', async () => {
    const h = harness();
    const fresh = h.create();
    const used = h.create();
    const occupied = h.create();
    const reserved = h.create({ reservationSeconds: 3_600 });
    used.join({ id: 'u', name: 'U' }, new FakeConnection());
    occupied.join({ id: 'o', name: 'O' }, new FakeConnection());
    reserved.reserve('r');
    h.advance(10_000);
    used.leave('u', 'left');

    h.advance(20_000 - 1);
    h.second();
    expect(h.manager.roomCount).toBe(4);
    h.advance(1);
    h.second();
    // 30 s after creation the untouched room goes; the one emptied 10 s later is still waiting.
    expect(h.manager.list().map((r) => r.room_id).sort()).toEqual([used.id, occupied.id, reserved.id].sort());
    expect(thrownCode(() => h.manager.get(fresh.id))).toBe('room_not_found');
    h.advance(10_000);
    h.second();
    expect(h.manager.list().map((r) => r.room_id).sort()).toEqual([occupied.id, reserved.id].sort());
    await settle();
    // The emptied room's match ran unfinished: it is recorded as aborted.
    expect(h.recorder.aborted).toEqual(['game-1']);

    // A lapsing reservation empties the room then: its empty clock starts at the lapse.
    h.advance(3_600_000);
    h.second();
    expect(reserved.seatsTaken).toBe(0);
    expect(h.manager.roomCount).toBe(2);
    h.advance(30_000);
    h.second();
    expect(h.manager.list().map((r) => r.room_id)).toEqual([occupied.id]);
  });

  it('keeps ticking the other rooms (and housekeeping) when one room throws, and logs it', () => {
    const h = harness();
    const error = vi.spyOn(h.logger, 'error');
    const rooms = Array.from({ length: 5 }, () => h.create());
    // rooms[0] and rooms[4] share slice 0.
    const failure = new Error('broken room');
    vi.spyOn(rooms[0]!, 'tick').mockImplementation(() => {
      throw failure;
    });
    const healthy = vi.spyOn(rooms[4]!, 'tick');
    const expire = vi.spyOn(rooms[4]!, 'expireSeats');
    expect(() => h.second()).not.toThrow();
    expect(healthy).toHaveBeenCalledTimes(20);
    expect(expire).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalledTimes(20);
    expect(error).toHaveBeenCalledWith({ err: failure, room: rooms[0]!.id }, 'room tick failed');
    expect(h.manager.roomCount).toBe(5);
  });

  it('keeps a playing room clocked: its match ends on time', () => {
    const h = harness({ game: { timeLimitSeconds: 1 } });
    const room = h.create();
    const a = new FakeConnection();
    room.join({ id: 'a', name: 'A' }, a);
    h.second();
    expect(a.messages.filter((m) => m.type === 'match_ended')).toHaveLength(1);
  });
});

describe('RoomManager.close', () => {
  it('disposes every room, aborting running matches, and resolves once their records are written', async () => {
    const h = harness();
    const rooms = Array.from({ length: 3 }, () => h.create());
    rooms[0]!.join({ id: 'a', name: 'A' }, new FakeConnection());
    rooms[2]!.join({ id: 'c', name: 'C' }, new FakeConnection());
    const ticks = rooms.map((room) => vi.spyOn(room, 'tick'));
    await h.manager.close();
    expect(h.recorder.aborted.sort()).toEqual(['game-1', 'game-2']);
    expect(h.manager.roomCount).toBe(0);
    expect(h.manager.list()).toEqual([]);
    h.cycle();
    for (const tick of ticks) expect(tick).not.toHaveBeenCalled();
  });
});
