/**
 * The last `capacity` observations of one quantity, for figures like "tick p99 right now" that a Prometheus
 * histogram (cumulative since start) cannot give. Recording writes one slot of a preallocated array, so it may sit
 * on the tick path; a quantile sorts a copy and is for the occasional reader.
 */
export class RecentSamples {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.values = new Float64Array(capacity);
  }

  record(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled += 1;
  }

  get count(): number {
    return this.filled;
  }

  /** The nearest-rank quantile (0 < q ≤ 1) of what is kept; 0 before the first observation. */
  quantile(q: number): number {
    if (this.filled === 0) return 0;
    const sorted = this.values.slice(0, this.filled).sort();
    return sorted[Math.min(this.filled - 1, Math.max(0, Math.ceil(q * this.filled) - 1))]!;
  }
}
