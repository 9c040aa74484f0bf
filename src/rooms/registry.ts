import type { Entrant } from '../games/index.js';
import type { ClientMessage, Encoding, RoomDetails, RoomInfo } from '../protocol/index.js';
import type { RoomManager } from './manager.js';
import type { Room } from './room.js';
import { RoomError, type RoomOptions } from './types.js';

export type RoomListFilter = { gameMode?: string; joinable?: boolean };
export type NewRoom = Pick<RoomOptions, 'name' | 'gameMode' | 'maxPlayers' | 'hostId'> & { region?: string };

/** A room made for players known ahead (a formed match): only they get seats, for `reservationSeconds`. */
export interface ReservedRoom extends NewRoom, Pick<RoomOptions, 'holdUntilSeated' | 'tournamentMatch'> {
  /** `key` is the player id; the rating balances teams in team modes. */
  players: Entrant[];
  reservationSeconds: number;
}

/** Where a room was made: its id and the node (process) hosting it. */
export interface HostedRoom {
  roomId: string;
  node: string;
}

/**
 * Where a room lives, for a WebSocket join: in this process, in a sibling process the connection moves to, or on
 * another node whose address the player connects to (with the seat the owner holds for them).
 */
export type RoomLocation = { kind: 'here'; room: Room } | { kind: 'sibling'; process: number } | { kind: 'remote'; node: string; url: string };

/** A libuv TCP handle in transit between processes; opaque everywhere else. */
export type SocketHandle = { readonly __brand: 'SocketHandle' };

/** A connection on its way to the process hosting the room it joins. */
export interface MovedConnection {
  player: { id: string; name: string; isGuest: boolean };
  encoding: Encoding;
  ip: string;
  /** What to handle on arrival, in order: the join_room first, then whatever followed it. */
  messages: ClientMessage[];
  /** The session the connection claimed when it authenticated (it stays the same one). */
  session: string | undefined;
  /** Set when the target process was gone and the connection came back to where it started. */
  bounced?: boolean;
}

/**
 * The one answer to "where does room X live and how do I reach it", for HTTP, WebSocket and matchmaking alike.
 * The local implementation is this process's RoomManager; the clustered one (src/cluster) spreads rooms over
 * the processes of one host; a cross-host one only has to implement this interface.
 */
export interface RoomRegistry {
  locate(roomId: string): Promise<RoomLocation>;
  create(options: NewRoom): Promise<RoomInfo>;
  /** Makes a room with seats held for exactly `players`, wherever there is room for it. */
  createWithReservations(options: ReservedRoom): Promise<HostedRoom>;
  /** Holds a seat for the player's WebSocket join. */
  reserve(roomId: string, playerId: string): Promise<RoomInfo>;
  leave(roomId: string, playerId: string): Promise<void>;
  describe(roomId: string): Promise<RoomDetails>;
  list(filter: RoomListFilter): Promise<RoomInfo[]>;
  /** Disposes a room at once (a match that will not start); unknown ids are ignored. */
  remove(roomId: string): Promise<void>;
  /** Hears when a reserved player of a room made by createWithReservations here did not join in time. */
  onReservationLapsed(listener: (roomId: string, playerId: string) => void): void;
  /** Hands a connection to the sibling process hosting its room (a location `locate` gave). */
  transfer(to: Extract<RoomLocation, { kind: 'sibling' }>, connection: MovedConnection, handle: SocketHandle): void;
  /** Where connections other processes hand to this one go. */
  onArrival(arrive: (handle: SocketHandle, connection: MovedConnection) => void): void;
}

/** The rooms of this process only. */
export class LocalRoomRegistry implements RoomRegistry {
  private readonly lapseListeners: ((roomId: string, playerId: string) => void)[] = [];

  constructor(
    private readonly rooms: RoomManager,
    private readonly node: string,
  ) {}

  async locate(roomId: string): Promise<RoomLocation> {
    return { kind: 'here', room: this.rooms.get(roomId) };
  }

  async create(options: NewRoom): Promise<RoomInfo> {
    return this.rooms.create(options).info();
  }

  async createWithReservations(options: ReservedRoom): Promise<HostedRoom> {
    const { players, reservationSeconds, ...room } = options;
    const created = this.rooms.create({
      ...room,
      reservationSeconds,
      onReservationLapsed: (roomId, playerId) => {
        for (const listener of this.lapseListeners) listener(roomId, playerId);
      },
    });
    created.planTeams(players);
    for (const player of players) created.reserve(player.key);
    return { roomId: created.id, node: this.node };
  }

  async reserve(roomId: string, playerId: string): Promise<RoomInfo> {
    return this.rooms.reserve(roomId, playerId).info();
  }

  async leave(roomId: string, playerId: string): Promise<void> {
    this.rooms.get(roomId).leave(playerId, 'left');
  }

  async describe(roomId: string): Promise<RoomDetails> {
    const room = this.rooms.get(roomId);
    return { ...room.info(), players: room.players() };
  }

  async list(filter: RoomListFilter): Promise<RoomInfo[]> {
    return this.rooms.list(filter);
  }

  async remove(roomId: string): Promise<void> {
    await this.rooms.remove(roomId);
  }

  onReservationLapsed(listener: (roomId: string, playerId: string) => void): void {
    this.lapseListeners.push(listener);
  }

  transfer(to: Extract<RoomLocation, { kind: 'sibling' }>): void {
    throw new RoomError('room_not_found', `process ${to.process} is not part of this node`);
  }

  onArrival(): void {
    // A single process never receives connections from siblings.
  }
}
