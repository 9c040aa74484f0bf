import type { RoomPlayer, SnapshotState } from '../../src/protocol/messages.js';
import { decodeSnapshot } from '../../src/protocol/snapshot.js';
import { toJsonSnapshot } from '../../src/protocol/snapshot-json.js';
import type { GameSnapshotMessage, SnapshotEvent } from './events.js';
import type { Logger } from './logger.js';

/** Baselines kept: the server encodes against the tick we acknowledged, which is at most a few behind. */
const MAX_BASELINES = 32;
/** Without inputs to piggyback on, acknowledge the newest tick at most this often. */
const ACK_IDLE_MS = 100;

/**
 * Per-room snapshot state: decoded baselines by tick, the entity → player directory and acknowledgements.
 * Deltas are decoded against the baseline the server names; one we no longer hold is skipped, not fatal.
 */
export class SnapshotTracker {
  private readonly baselines = new Map<number, SnapshotState>();
  private readonly directory = new Map<number, Pick<RoomPlayer, 'id' | 'name'>>();
  private tickRate = 1;
  private newest: number | undefined;
  private acked: number | undefined;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** Sends `snapshot_ack` for this tick. */
    private readonly sendAck: (tick: number) => void,
    private readonly logger: Logger,
  ) {}

  enterRoom(players: readonly RoomPlayer[], tickRate: number): void {
    this.leaveRoom();
    this.tickRate = tickRate;
    for (const player of players) this.addPlayer(player);
  }

  leaveRoom(): void {
    this.resetBaselines();
    this.directory.clear();
  }

  addPlayer(player: RoomPlayer): void {
    this.directory.set(player.entity_id, { id: player.id, name: player.name });
  }

  removePlayer(player: RoomPlayer): void {
    this.directory.delete(player.entity_id);
  }

  /** After a reconnect the server starts over with a full snapshot, so old baselines are useless. */
  resetBaselines(): void {
    this.baselines.clear();
    this.newest = this.acked = undefined;
    if (this.ackTimer !== undefined) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  /** The tick to piggyback as `ack` on an input (the newest decoded), counted as acknowledged. */
  takeAck(): number | undefined {
    this.acked = this.newest;
    return this.newest;
  }

  /** Returns the event to emit, or undefined when the snapshot cannot be decoded (and is skipped). */
  receive(message: GameSnapshotMessage): SnapshotEvent | undefined {
    const { room_id, tick, ack } = message;
    if ('snapshot' in message) return { room_id, tick, ack, snapshot: message.snapshot, raw: undefined };

    let baseline: SnapshotState | undefined;
    if (message.base !== null) {
      baseline = this.baselines.get(message.base);
      if (!baseline) {
        this.logger.debug?.(`snapshot ${tick}: baseline ${message.base} not held, skipped`);
        // Point the server at a baseline we do hold (or let it fall back to a full snapshot).
        if (this.newest !== undefined) this.sendAck(this.newest);
        return undefined;
      }
    }
    let state: SnapshotState;
    try {
      state = decodeSnapshot(message.delta, baseline);
    } catch (error) {
      this.logger.warn?.(`snapshot ${tick}: undecodable, skipped`, error);
      return undefined;
    }
    this.remember(state);
    return { room_id, tick, ack, snapshot: toJsonSnapshot(state, this.directory, this.tickRate), raw: state };
  }

  private remember(state: SnapshotState): void {
    this.baselines.set(state.tick, state);
    // Ticks arrive in order, so the first key is the oldest.
    while (this.baselines.size > MAX_BASELINES) this.baselines.delete(this.baselines.keys().next().value!);
    if (this.newest === undefined || state.tick > this.newest) this.newest = state.tick;
    this.ackTimer ??= setTimeout(() => this.ackIfIdle(), ACK_IDLE_MS);
  }

  /** One timer per ACK_IDLE_MS at most; it only sends when no input has carried the newest tick. */
  private ackIfIdle(): void {
    this.ackTimer = undefined;
    if (this.newest === undefined || this.newest === this.acked) return;
    this.acked = this.newest;
    this.sendAck(this.newest);
  }
}
