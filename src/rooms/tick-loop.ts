/**
 * Calls `tick(slice)` `slices` times per tick interval, evenly spaced, with drift correction: each deadline
 * is computed from the start, not from the previous call, so the average rate stays exact. Slicing spreads
 * the rooms' work over the interval instead of one burst, so inputs are read, and each room's snapshot goes
 * out, without waiting behind every other room. `observe` gets the time of one whole cycle of slices. When the
 * process falls far behind (a long GC pause), the missed calls are dropped instead of run back to back.
 */
export class TickLoop {
  private timer: NodeJS.Timeout | undefined;
  private nextAt = 0;
  private slice = 0;
  private cycleSeconds = 0;
  private readonly intervalMs: number;

  constructor(
    tickRate: number,
    private readonly tick: (slice: number) => void,
    private readonly observe: (seconds: number) => void = () => undefined,
    private readonly slices = 1,
    private readonly maxCatchUpTicks = 5,
  ) {
    this.intervalMs = 1000 / tickRate / slices;
  }

  start(): void {
    if (this.timer) return;
    this.nextAt = performance.now() + this.intervalMs;
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.run(), Math.max(0, this.nextAt - performance.now()));
  }

  private run(): void {
    const now = performance.now();
    if (now - this.nextAt > this.maxCatchUpTicks * this.slices * this.intervalMs) this.nextAt = now;
    const started = performance.now();
    this.tick(this.slice);
    this.cycleSeconds += (performance.now() - started) / 1000;
    if (++this.slice === this.slices) {
      this.slice = 0;
      this.observe(this.cycleSeconds);
      this.cycleSeconds = 0;
    }
    this.nextAt += this.intervalMs;
    if (this.timer) this.schedule();
  }
}
