import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import type { RoomDetails, RoomInfo } from '../protocol/index.js';
import type {
  HostedRoom,
  LocalRoomRegistry,
  MovedConnection,
  NewRoom,
  ReservedRoom,
  RoomListFilter,
  RoomLocation,
  RoomRegistry,
  SocketHandle,
} from '../rooms/index.js';
import type { WorkerLink } from './link.js';

type RoomAndPlayer = { roomId: string; playerId: string };

/** Housekeeping finds lapsed reservations about once a second, so a lapse may be reported a little late. */
const LAPSE_MARGIN_SECONDS = 5;

/**
 * The rooms of every process on this host. Rooms created over HTTP are made in the process that takes the
 * request (the primary spreads connections round-robin); matchmade rooms go to every process in turn, so a
 * match-heavy node uses all its workers. A room's id ends in `.wN`, the process hosting it, and calls about it
 * go there.
 */
export class ClusteredRoomRegistry implements RoomRegistry {
  private turn = 0;
  /** Matchmade rooms hosted here on behalf of a sibling: lapsed reservations are reported to it. */
  private readonly madeFor = new Map<string, number>();
  private readonly lapseListeners: ((roomId: string, playerId: string) => void)[] = [];

  constructor(
    private readonly local: LocalRoomRegistry,
    private readonly link: WorkerLink,
    private readonly logger: Logger,
  ) {
    link.serve<RoomAndPlayer, RoomInfo>('rooms.reserve', ({ roomId, playerId }) => local.reserve(roomId, playerId));
    link.serve<RoomAndPlayer, void>('rooms.leave', ({ roomId, playerId }) => local.leave(roomId, playerId));
    link.serve<{ roomId: string }, RoomDetails>('rooms.describe', ({ roomId }) => local.describe(roomId));
    link.serve<{ roomId: string }, void>('rooms.remove', ({ roomId }) => this.removeHere(roomId));
    link.serve<RoomListFilter, RoomInfo[]>('rooms.list', (filter) => local.list(filter));
    link.serve<{ options: ReservedRoom; origin: number }, HostedRoom>('rooms.createWithReservations', async ({ options, origin }) => {
      const hosted = await local.createWithReservations(options);
      this.madeFor.set(hosted.roomId, origin);
      // Reservations lapse within their window or never: past it there is nothing left to report.
      setTimeout(() => this.madeFor.delete(hosted.roomId), (options.reservationSeconds + LAPSE_MARGIN_SECONDS) * 1000).unref();
      return hosted;
    });
    link.serve<RoomAndPlayer, void>('rooms.lapsed', async ({ roomId, playerId }) => this.lapsed(roomId, playerId));
    local.onReservationLapsed((roomId, playerId) => {
      const origin = this.madeFor.get(roomId);
      if (origin === undefined) return this.lapsed(roomId, playerId);
      this.link.call(origin, 'rooms.lapsed', { roomId, playerId }).catch((error: unknown) => {
        this.logger.warn({ err: error, room: roomId }, 'reporting a lapsed reservation to its match maker failed');
      });
    });
  }

  async locate(roomId: string): Promise<RoomLocation> {
    const host = this.siblingHosting(roomId);
    return host === undefined ? this.local.locate(roomId) : { kind: 'sibling', process: host };
  }

  create(options: NewRoom): Promise<RoomInfo> {
    return this.local.create(options);
  }

  async createWithReservations(options: ReservedRoom): Promise<HostedRoom> {
    const target = (this.turn++ % this.link.count) + 1;
    if (target === this.link.index) return this.local.createWithReservations(options);
    try {
      return await this.link.call<HostedRoom>(target, 'rooms.createWithReservations', { options, origin: this.link.index });
    } catch (error) {
      // Only an unreachable sibling (restarting) moves the room here; a refusal would be the same here too.
      if (!(error instanceof AppError) || error.code !== 'worker_unavailable') throw error;
      this.logger.warn({ err: error, target }, 'hosting a match in a sibling process failed; hosting it here');
      return this.local.createWithReservations(options);
    }
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

  remove(roomId: string): Promise<void> {
    return this.onHost(roomId, 'rooms.remove', { roomId }, () => this.removeHere(roomId));
  }

  /** Every process's rooms; a process that does not answer (restarting) is left out rather than failing the list. */
  async list(filter: RoomListFilter): Promise<RoomInfo[]> {
    const remote = await this.link.callSiblings<RoomInfo[]>('rooms.list', filter);
    return [...(await this.local.list(filter)), ...remote.flat()];
  }

  onReservationLapsed(listener: (roomId: string, playerId: string) => void): void {
    this.lapseListeners.push(listener);
  }

  transfer(to: Extract<RoomLocation, { kind: 'sibling' }>, connection: MovedConnection, handle: SocketHandle): void {
    this.link.move(to.process, connection, handle);
  }

  onArrival(arrive: (handle: SocketHandle, connection: MovedConnection) => void): void {
    this.link.onArrival(arrive);
  }

  private lapsed(roomId: string, playerId: string): void {
    for (const listener of this.lapseListeners) listener(roomId, playerId);
  }

  private async removeHere(roomId: string): Promise<void> {
    this.madeFor.delete(roomId);
    await this.local.remove(roomId);
  }

  /** The sibling process hosting `roomId`; undefined when it is this process or the id names none. */
  private siblingHosting(roomId: string): number | undefined {
    const host = this.link.hostOf(roomId);
    return host === this.link.index ? undefined : host;
  }

  /** Runs `op` in the process hosting the room: here (`local`) or in a sibling. */
  private onHost<Result>(roomId: string, op: string, args: unknown, local: () => Promise<Result>): Promise<Result> {
    const host = this.siblingHosting(roomId);
    return host === undefined ? local() : this.link.call(host, op, args);
  }
}
