/**
 * Calls `tick` at a fixed rate with drift correction: each deadline is computed from the start, not from the
 * previous call, so the average rate stays exact. When the process falls far behind (a long GC pause), the
 * missed ticks are dropped instead of run back to back.
 */
export class TickLoop {
  private timer: NodeJS.Timeout | undefined;
  private nextAt = 0;
  private readonly intervalMs: number;

  constructor(
    tickRate: number,
    private readonly tick: () => void,
    private readonly observe: (seconds: number) => void = () => undefined,
    private readonly maxCatchUpTicks = 5,
  ) {
    this.intervalMs = 1000 / tickRate;
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
    if (now - this.nextAt > this.maxCatchUpTicks * this.intervalMs) this.nextAt = now;
    const started = performance.now();
    this.tick();
    this.observe((performance.now() - started) / 1000);
    this.nextAt += this.intervalMs;
    if (this.timer) this.schedule();
  }
}
