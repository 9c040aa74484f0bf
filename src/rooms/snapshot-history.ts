import type { SnapshotState } from '../sim/index.js';

/** The last few snapshots of a room, by tick: the baselines clients may acknowledge. */
export class SnapshotHistory {
  private readonly ring: (SnapshotState | undefined)[];
  private next = 0;

  constructor(size: number) {
    this.ring = new Array<SnapshotState | undefined>(size);
  }

  add(state: SnapshotState): void {
    this.ring[this.next] = state;
    this.next = (this.next + 1) % this.ring.length;
  }

  get(tick: number): SnapshotState | undefined {
    for (const state of this.ring) if (state?.tick === tick) return state;
    return undefined;
  }
}
