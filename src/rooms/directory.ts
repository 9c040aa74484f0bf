import type { RoomInfo, RoomPlayer } from '../protocol/index.js';
import type { RoomManager } from './manager.js';
import type { RoomOptions } from './types.js';

export type RoomDetails = RoomInfo & { players: RoomPlayer[] };
export type RoomListFilter = { gameMode?: string; joinable?: boolean };
export type NewRoom = Pick<RoomOptions, 'name' | 'gameMode' | 'maxPlayers' | 'hostId'> & { region?: string };

/**
 * The rooms a node can reach, whichever process hosts them: what the HTTP API works through. The local
 * implementation is this process's RoomManager; the clustered one (src/cluster) adds the sibling processes.
 */
export interface RoomDirectory {
  create(options: NewRoom): Promise<RoomInfo>;
  /** Holds a seat for the player's WebSocket join. */
  reserve(roomId: string, playerId: string): Promise<RoomInfo>;
  leave(roomId: string, playerId: string): Promise<void>;
  describe(roomId: string): Promise<RoomDetails>;
  list(filter: RoomListFilter): Promise<RoomInfo[]>;
}

/** The rooms of this process only. */
export class LocalRoomDirectory implements RoomDirectory {
  constructor(private readonly rooms: RoomManager) {}

  async create(options: NewRoom): Promise<RoomInfo> {
    return this.rooms.create(options).info();
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
}
