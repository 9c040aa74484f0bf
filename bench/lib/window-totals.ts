import { LatencyHistogram } from './histogram.js';
import type { BotStats } from './protocol.js';

/** What the bot processes reported during the current measurement window, summed over all of them. */
export class WindowTotals {
  latency = new LatencyHistogram();
  snapshotBytes = 0;
  /** Inputs sent. */
  inputs = 0;

  absorb(stats: BotStats): void {
    this.latency.add(LatencyHistogram.fromSparse(stats.latency));
    this.snapshotBytes += stats.snapshotBytes;
    this.inputs += stats.inputs;
  }

  reset(): void {
    this.latency.reset();
    this.snapshotBytes = 0;
    this.inputs = 0;
  }
}
