import type { Logger } from 'pino';
import { chooseWorker, type Directory, type RoomLease } from '../directory/index.js';
import type { RoomCheckpoint } from '../rooms/index.js';
import type { CheckpointStore } from './types.js';

/** Where a rescued room goes: this process's rooms and its directory agent. */
export interface RescueHost {
  /** Whether this process takes rooms now (it is not draining and has room for players). */
  canHost(): boolean;
  /** Whether the room is served here (restored here already, by another player's join or a sweep). */
  serves(roomId: string): boolean;
  /** Whether this process still holds the room's lease (a room that just ended here holds it until the next beat). */
  holdsLease(roomId: string): boolean;
  restore(roomId: string, checkpoint: RoomCheckpoint): void;
  /** Keeps renewing the lease of a room restored here (DirectoryAgent.adopt). */
  adopt(lease: RoomLease): void;
}

export type RescueFailure = 'no_checkpoint' | 'restore_failed';

export interface RescueMetrics {
  /** `seconds`: from taking the lease to serving the room. */
  restored(seconds: number): void;
  failed(reason: RescueFailure): void;
}

export interface RescueSettings {
  /** This process's id in the directory. */
  self: string;
  leaseTtlMs: number;
  /** Lapsed rooms looked at per sweep. */
  sweepLimit: number;
  /** How long the other nodes leave a lapsed room to the least loaded worker before they take it themselves. */
  graceMs: number;
}

/**
 * Takes over rooms whose node died: a room whose lease lapsed is leased here with the next epoch (its old owner,
 * should it come back, is fenced off), rebuilt from its checkpoint, and served here; its players reconnect to
 * it. On a timer for every lapsed room, and at once for a room a player asks for (`recover`).
 */
export class RoomRescuer {
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly directory: Pick<Directory, 'lapsed' | 'acquire' | 'release' | 'nodes'>,
    private readonly store: CheckpointStore,
    private readonly host: RescueHost,
    private readonly settings: RescueSettings,
    private readonly deps: { metrics: RescueMetrics; logger: Logger; now: () => number },
  ) {}

  async sweep(): Promise<void> {
    if (!this.host.canHost()) return;
    const lapsed = await this.directory.lapsed(this.settings.sweepLimit);
    if (lapsed.length === 0) return;
    // Every node sees the same lapsed rooms: the least loaded worker takes them, the others only if it does not.
    const first = chooseWorker(await this.directory.nodes())?.id === this.settings.self;
    const now = this.deps.now();
    for (const lease of lapsed) {
      if (!first && now - lease.expiresAt < this.settings.graceMs) continue;
      await this.take(lease.roomId, true);
    }
  }

  /**
   * For a player asking for a room no live node serves: `here` once it is restored here, `pending` while it has
   * a checkpoint another node is to restore, `lost` when it has none.
   */
  async recover(roomId: string): Promise<'here' | 'pending' | 'lost'> {
    // Taken over now if its lease lapsed and it has a checkpoint.
    if (await this.take(roomId, false)) return 'here';
    if (this.host.holdsLease(roomId)) return 'lost';
    return (await this.store.has(roomId)) ? 'pending' : 'lost';
  }

  private take(roomId: string, forgetLost: boolean): Promise<boolean> {
    let attempt = this.inFlight.get(roomId);
    if (!attempt) {
      attempt = this.attempt(roomId, forgetLost).finally(() => this.inFlight.delete(roomId));
      this.inFlight.set(roomId, attempt);
    }
    return attempt;
  }

  private async attempt(roomId: string, forgetLost: boolean): Promise<boolean> {
    if (this.host.serves(roomId)) return true;
    // Ended here: the lease goes with the next beat, and nothing is to be brought back.
    if (this.host.holdsLease(roomId)) return false;
    const recoverable = await this.store.has(roomId);
    if ((!recoverable && !forgetLost) || !this.host.canHost()) return false;
    const lease = await this.directory.acquire(roomId, this.settings.self, this.settings.leaseTtlMs);
    if (!lease) return false;
    // Restored here while the lease was being taken (the acquire then only renewed this process's own lease).
    if (this.host.serves(roomId)) return true;
    if (lease.epoch === 1) {
      // There was no lease at all (a room that never existed, or one that ended): nothing to take over, and a
      // checkpoint left behind is stale.
      await this.directory.release(lease);
      if (recoverable) await this.store.drop(roomId);
      return false;
    }
    const started = this.deps.now();
    const checkpoint = recoverable ? await this.store.read(roomId) : undefined;
    if (!checkpoint) {
      // A room with no checkpoint (its node kept none, or it expired) is lost: its lease is cleared away.
      await this.directory.release(lease);
      this.deps.metrics.failed('no_checkpoint');
      this.deps.logger.warn({ room: roomId }, 'a room whose node died had no checkpoint: it is lost');
      return false;
    }
    try {
      this.host.restore(roomId, checkpoint);
    } catch (error) {
      await this.directory.release(lease);
      this.deps.metrics.failed('restore_failed');
      this.deps.logger.error({ err: error, room: roomId }, 'restoring a room from its checkpoint failed: it is lost');
      return false;
    }
    this.host.adopt(lease);
    const seconds = (this.deps.now() - started) / 1000;
    const age = (started - checkpoint.writtenAt) / 1000;
    this.deps.metrics.restored(seconds);
    this.deps.logger.info({ room: roomId, epoch: lease.epoch, seconds, checkpointAgeSeconds: age }, 'took over a room whose node died');
    return true;
  }
}
