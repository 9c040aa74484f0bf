/**
 * Latency histogram with fixed 0.25 ms bins up to 5 s (one overflow bin): cheap to record in a bot's hot
 * path, and mergeable across bot processes by adding counts.
 */
export const BIN_MS = 0.25;
export const BIN_COUNT = 20_000;

export class LatencyHistogram {
  readonly counts: Uint32Array;
  max = 0;

  constructor(counts?: ArrayLike<number>) {
    this.counts = new Uint32Array(BIN_COUNT + 1);
    if (counts) this.counts.set(counts);
  }

  record(ms: number): void {
    const bin = Math.min(BIN_COUNT, Math.max(0, Math.floor(ms / BIN_MS)));
    this.counts[bin]!++;
    if (ms > this.max) this.max = ms;
  }

  add(other: LatencyHistogram): void {
    for (let i = 0; i <= BIN_COUNT; i++) this.counts[i]! += other.counts[i]!;
    this.max = Math.max(this.max, other.max);
  }

  get total(): number {
    let total = 0;
    for (const count of this.counts) total += count;
    return total;
  }

  /** Upper edge of the bin holding the q-quantile (0..1), in ms; NaN when empty. */
  quantile(q: number): number {
    const total = this.total;
    if (total === 0) return NaN;
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (let i = 0; i <= BIN_COUNT; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === BIN_COUNT ? this.max : (i + 1) * BIN_MS;
    }
    return this.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.max = 0;
  }

  /** Non-empty bins only, for cheap IPC. */
  toSparse(): { bins: [number, number][]; max: number } {
    const bins: [number, number][] = [];
    this.counts.forEach((count, i) => count > 0 && bins.push([i, count]));
    return { bins, max: this.max };
  }

  static fromSparse(sparse: { bins: [number, number][]; max: number }): LatencyHistogram {
    const histogram = new LatencyHistogram();
    for (const [bin, count] of sparse.bins) histogram.counts[bin] = count;
    histogram.max = sparse.max;
    return histogram;
  }
}
