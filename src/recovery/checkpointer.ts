import type { Logger } from 'pino';
import type { RoomLease } from '../directory/index.js';
import type { Room } from '../rooms/index.js';
import type { CheckpointStore, CheckpointWrite } from './types.js';

/** The rooms this process serves and the lease it holds on each. */
export interface LeasedRooms {
  ids(): readonly string[];
  room(roomId: string): Room | undefined;
  lease(roomId: string): RoomLease | undefined;
}

export interface CheckpointMetrics {
  /** Seconds since the oldest successful checkpoint among the rooms served here (0: none served). */
  checkpointAge(seconds: number): void;
  checkpointWritten(rooms: number, bytes: number): void;
  /** A room that can no longer be carried on (its replay record outgrew its bound). */
  unrecoverable(roomId: string): void;
}

/** Where the stored record of one room stands, as this process last wrote it. */
interface Written {
  seed: number;
  epoch: number;
  bytes: number;
  at: number;
}

/**
 * Checkpoints every room this process serves, all in one write per run (on a timer): each room's state and what
 * its match's replay record gained since the last run. What another node restores is at most one interval old.
 */
export class RoomCheckpointer {
  private readonly written = new Map<string, Written>();
  private readonly unrecoverable = new Set<string>();

  constructor(
    private readonly rooms: LeasedRooms,
    private readonly store: CheckpointStore,
    private readonly deps: { metrics: CheckpointMetrics; logger: Logger; now: () => number },
  ) {}

  async run(): Promise<void> {
    const writes: CheckpointWrite[] = [];
    const served = new Set(this.rooms.ids());
    for (const roomId of this.written.keys()) if (!served.has(roomId)) this.written.delete(roomId);
    for (const roomId of this.unrecoverable) if (!served.has(roomId)) this.unrecoverable.delete(roomId);
    for (const roomId of served) {
      const room = this.rooms.room(roomId);
      const lease = this.rooms.lease(roomId);
      if (!room || !lease || this.unrecoverable.has(roomId)) continue;
      const last = this.written.get(roomId);
      const offset = last && last.seed === room.matchSeed && last.epoch === lease.epoch ? last.bytes : 0;
      const { state, record } = room.checkpoint(offset);
      if (!record) {
        this.unrecoverable.add(roomId);
        this.deps.metrics.unrecoverable(roomId);
        this.deps.logger.warn({ room: roomId }, 'room replay record outgrew its bound: this room can no longer be restored elsewhere');
        // An older checkpoint would bring back a match that has moved on since.
        await this.store.drop(roomId);
        continue;
      }
      writes.push({ roomId, node: lease.node, epoch: lease.epoch, state, offset, record });
    }
    const at = this.deps.now();
    const outcomes = await this.store.write(writes);
    let bytes = 0;
    outcomes.forEach((outcome, i) => {
      const write = writes[i]!;
      if (outcome === 'written') {
        bytes += write.record.length;
        this.written.set(write.roomId, { seed: write.state.seed, epoch: write.epoch, bytes: write.offset + write.record.length, at });
      } else {
        // Out of step: written whole next time. Fenced: the directory agent stops serving the room.
        this.written.delete(write.roomId);
      }
    });
    this.deps.metrics.checkpointWritten(writes.length, bytes);
    let oldest = at;
    for (const roomId of served) oldest = Math.min(oldest, this.written.get(roomId)?.at ?? oldest);
    this.deps.metrics.checkpointAge((at - oldest) / 1000);
  }
}
