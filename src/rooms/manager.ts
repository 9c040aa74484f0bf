import { randomBytes } from 'node:crypto';
import type { GameModes } from '../games/index.js';
import type { RoomInfo } from '../protocol/index.js';
import { Room, type RoomDeps } from './room.js';
import { RoomError, type RoomCheckpoint, type RoomOptions, type RoomSettings } from './types.js';

export interface ManagerLimits {
  /** Upper bound of a room's max_players (MAX_CONNECTIONS_PER_ROOM). */
  maxPlayersPerRoom: number;
  /** Milliseconds an empty room lives before it is disposed. */
  emptyRoomTimeoutMs: number;
  /**
   * Ends every room id made here. Processes of one host each put their own (`.w2`) so that any of them can
   * tell from an id which process hosts the room.
   */
  roomIdSuffix?: string;
}

/**
 * The rooms of this node: creation, lookup, listing, the fixed-rate tick of every room, and disposal of
 * rooms left empty. Cross-node placement will sit in front of this (room manager endpoint).
 */
export class RoomManager {
  private readonly rooms = new Map<string, Room>();
  private readonly endListeners: ((roomId: string) => void)[] = [];
  /** Rooms by tick slice: each slice ticks at its own offset within the tick interval. */
  private readonly bySlice: Set<Room>[];
  private cycles = 0;
  private isDraining = false;

  constructor(
    private readonly modes: GameModes,
    private readonly settings: RoomSettings,
    private readonly limits: ManagerLimits,
    private readonly deps: RoomDeps,
  ) {
    this.bySlice = Array.from({ length: RoomManager.slicesFor(settings.game.tickRate) }, () => new Set<Room>());
  }

  /** Up to 4 slices per tick, none shorter than 5 ms (at 20 Hz: a slice every 12.5 ms). */
  static slicesFor(tickRate: number): number {
    return Math.max(1, Math.min(4, Math.floor(1000 / tickRate / 5)));
  }

  get slices(): number {
    return this.bySlice.length;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  get playerCount(): number {
    let players = 0;
    for (const room of this.rooms.values()) players += room.playerCount;
    return players;
  }

  /** The most players a room of `gameMode` can seat here. */
  seatLimit(gameMode: string): number {
    return Math.min(this.limits.maxPlayersPerRoom, this.settings.game.maxEntities, this.modes.get(gameMode).maxPlayers);
  }

  /** Takes no new rooms from now on (however they are asked for); the rooms here play on to their end. */
  drain(): void {
    this.isDraining = true;
  }

  get draining(): boolean {
    return this.isDraining;
  }

  create(options: Omit<RoomOptions, 'region'> & { region?: string }): Room {
    if (this.isDraining) throw new RoomError('draining', 'this node is draining: it takes no new rooms');
    const mode = this.modes.get(options.gameMode);
    const limit = this.seatLimit(mode.name);
    if (!Number.isInteger(options.maxPlayers) || options.maxPlayers < 1 || options.maxPlayers > limit) {
      throw new RoomError('invalid_room', `max_players must be an integer from 1 to ${limit}`);
    }
    const id = `room_${randomBytes(6).toString('hex')}${this.limits.roomIdSuffix ?? ''}`;
    return this.host(new Room(id, { ...options, region: options.region ?? 'default' }, mode, this.settings, this.deps));
  }

  /**
   * Carries on a room another node served, from its checkpoint, under its id: its game rebuilt from the record,
   * its players' seats held for their reconnect. Throws when the room is here already or the node drains.
   */
  restore(roomId: string, checkpoint: RoomCheckpoint): Room {
    if (this.isDraining) throw new RoomError('draining', 'this node is draining: it takes no rooms');
    if (this.rooms.has(roomId)) throw new RoomError('invalid_room', `room ${roomId} is served here already`);
    const mode = this.modes.get(checkpoint.state.options.gameMode);
    return this.host(new Room(roomId, checkpoint.state.options, mode, this.settings, this.deps, checkpoint));
  }

  /** Stops serving a room another node took over, without ending its match (that node carries it on). */
  handOver(roomId: string): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    this.forget(room);
    room.handOver();
  }

  private host(room: Room): Room {
    this.rooms.set(room.id, room);
    this.bySlice.reduce((emptiest, slice) => (slice.size < emptiest.size ? slice : emptiest)).add(room);
    return room;
  }

  find(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  get(roomId: string): Room {
    const room = this.rooms.get(roomId);
    if (!room) throw new RoomError('room_not_found', `room ${roomId} does not exist`);
    return room;
  }

  list(filter: { gameMode?: string; joinable?: boolean } = {}): RoomInfo[] {
    const rooms: RoomInfo[] = [];
    for (const room of this.rooms.values()) {
      if (filter.gameMode && room.options.gameMode !== filter.gameMode) continue;
      if (filter.joinable && room.seatsTaken >= room.options.maxPlayers) continue;
      rooms.push(room.info());
    }
    return rooms;
  }

  /** Hears of every room that ends here (removed, retired empty, closed), not of one handed over. */
  onRoomEnded(listener: (roomId: string) => void): void {
    this.endListeners.push(listener);
  }

  /** Disposes one room at once (e.g. a match that could not start). */
  async remove(roomId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    if (!room) return;
    this.forget(room);
    this.ended(room);
    await room.dispose();
  }

  /** HTTP join: hold a seat until the player's WebSocket joins. */
  reserve(roomId: string, playerId: string): Room {
    const room = this.get(roomId);
    room.reserve(playerId);
    return room;
  }

  /** One tick of the rooms of one slice; about once a second also expires seats and retires empty rooms. */
  tickSlice(slice: number): void {
    for (const room of this.bySlice[slice]!) {
      try {
        room.tick();
      } catch (error) {
        // One broken room must not stop every other room's clock.
        this.deps.logger.error({ err: error, room: room.id }, 'room tick failed');
      }
    }
    if (slice === 0 && ++this.cycles % this.settings.game.tickRate === 0) this.housekeeping();
  }

  /** Disposes every room (shutdown); resolves when their last game records are written. */
  async close(): Promise<void> {
    const rooms = [...this.rooms.values()];
    this.rooms.clear();
    for (const slice of this.bySlice) slice.clear();
    for (const room of rooms) this.ended(room);
    await Promise.allSettled(rooms.map((room) => room.dispose()));
  }

  private housekeeping(): void {
    const now = this.deps.now();
    for (const room of this.rooms.values()) {
      room.expireSeats();
      if (room.emptyFor(now) >= this.limits.emptyRoomTimeoutMs && room.seatsTaken === 0) {
        void room.dispose();
        this.forget(room);
        this.ended(room);
      }
    }
  }

  private ended(room: Room): void {
    for (const listener of this.endListeners) listener(room.id);
  }

  private forget(room: Room): void {
    this.rooms.delete(room.id);
    for (const slice of this.bySlice) slice.delete(room);
  }
}
