import { PackedSnapshot } from '../protocol/index.js';
import type { SnapshotState } from '../sim/index.js';

/** The last few snapshots of a room, packed, by tick: the baselines clients may acknowledge. Slots are reused. */
export class SnapshotHistory {
  private readonly ring: PackedSnapshot[];
  private next = 0;

  constructor(size: number) {
    this.ring = Array.from({ length: size }, () => new PackedSnapshot());
  }

  /** Packs `state` into the oldest slot and returns it. */
  add(state: SnapshotState): PackedSnapshot {
    const slot = this.ring[this.next]!;
    this.next = (this.next + 1) % this.ring.length;
    return slot.pack(state);
  }

  /** Drops the baseline of `tick`: a client acknowledging it gets a full snapshot next. */
  forget(tick: number): void {
    for (const slot of this.ring) if (slot.tick === tick) slot.tick = -1;
  }

  get(tick: number): PackedSnapshot | undefined {
    // Unused slots hold tick -1, which is also what clients without a baseline acknowledge.
    if (tick < 0) return undefined;
    for (const slot of this.ring) if (slot.tick === tick) return slot;
    return undefined;
  }
}
