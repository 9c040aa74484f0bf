import type { Logger } from 'pino';
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
    private readonly logger: Logger,
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
    const host = this.link.siblingHosting(roomId);
    return host === undefined ? this.local.reserve(roomId, playerId) : this.link.call(host, 'rooms.reserve', { roomId, playerId });
  }

  leave(roomId: string, playerId: string): Promise<void> {
    const host = this.link.siblingHosting(roomId);
    return host === undefined ? this.local.leave(roomId, playerId) : this.link.call(host, 'rooms.leave', { roomId, playerId });
  }

  describe(roomId: string): Promise<RoomDetails> {
    const host = this.link.siblingHosting(roomId);
    return host === undefined ? this.local.describe(roomId) : this.link.call(host, 'rooms.describe', { roomId });
  }

  /** Every process's rooms; a process that does not answer (restarting) is left out rather than failing the list. */
  async list(filter: RoomListFilter): Promise<RoomInfo[]> {
    const remote = await Promise.allSettled(this.link.siblings.map((host) => this.link.call<RoomInfo[]>(host, 'rooms.list', filter)));
    const rooms = await this.local.list(filter);
    for (const result of remote) {
      if (result.status === 'fulfilled') rooms.push(...result.value);
      else this.logger.warn({ err: result.reason }, 'a sibling process did not list its rooms');
    }
    return rooms;
  }
}
