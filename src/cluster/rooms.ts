import type { RoomInfo } from '../protocol/index.js';
import type { LocalRoomDirectory, NewRoom, RoomDetails, RoomDirectory, RoomListFilter } from '../rooms/index.js';
import type { WorkerLink } from './link.js';

type RoomAndPlayer = { roomId: string; playerId: string };

/**
 * The rooms of every process on this host. New rooms are made in the process that takes the request (the
 * primary spreads connections round-robin); a room's id says which process hosts it, and calls about it go
 * there.
 */
export class ClusteredRoomDirectory implements RoomDirectory {
  constructor(
    private readonly local: LocalRoomDirectory,
    private readonly link: WorkerLink,
  ) {
    link.serve<RoomAndPlayer, RoomInfo>('rooms.reserve', ({ roomId, playerId }) => local.reserve(roomId, playerId));
    link.serve<RoomAndPlayer, void>('rooms.leave', ({ roomId, playerId }) => local.leave(roomId, playerId));
    link.serve<{ roomId: string }, RoomDetails>('rooms.describe', ({ roomId }) => local.describe(roomId));
    link.serve<RoomListFilter, RoomInfo[]>('rooms.list', (filter) => local.list(filter));
  }

  create(options: NewRoom): Promise<RoomInfo> {
    return this.local.create(options);
  }

  reserve(roomId: string, playerId: string): Promise<RoomInfo> {
    return this.onHost(roomId, 'rooms.reserve', { roomId, playerId }, () => this.local.reserve(roomId, playerId));
  }

  leave(roomId: string, playerId: string): Promise<void> {
    return this.onHost(roomId, 'rooms.leave', { roomId, playerId }, () => this.local.leave(roomId, playerId));
  }

  describe(roomId: string): Promise<RoomDetails> {
    return this.onHost(roomId, 'rooms.describe', { roomId }, () => this.local.describe(roomId));
  }

  /** Every process's rooms; a process that does not answer (restarting) is left out rather than failing the list. */
  async list(filter: RoomListFilter): Promise<RoomInfo[]> {
    const remote = await this.link.callSiblings<RoomInfo[]>('rooms.list', filter);
    return [...(await this.local.list(filter)), ...remote.flat()];
  }

  /** Runs `op` in the process hosting the room: here (`local`) or in a sibling. */
  private onHost<Result>(roomId: string, op: string, args: unknown, local: () => Promise<Result>): Promise<Result> {
    const host = this.link.siblingHosting(roomId);
    return host === undefined ? local() : this.link.call(host, op, args);
  }
}
