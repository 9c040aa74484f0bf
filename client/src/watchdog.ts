/**
 * Notices a server that stopped answering without closing the connection (a frozen process, a dead network
 * path, a handshake never answered): after 40 % of `silenceMs` without a frame it pings once; after `silenceMs`
 * it reports the connection lost, so the SDK reconnects instead of waiting forever.
 */
export class SilenceWatchdog {
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private pinged = false;

  constructor(
    private readonly silenceMs: number,
    private readonly ping: () => void,
    private readonly silent: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new socket: the clock starts now. */
  start(): void {
    this.stop();
    if (this.silenceMs <= 0) return;
    this.heard();
    this.timer = setInterval(() => this.check(), Math.max(50, this.silenceMs / 5));
    // Never the reason a Node process stays up.
    (this.timer as { unref?: () => void }).unref?.();
  }

  heard(): void {
    this.lastHeard = this.now();
    this.pinged = false;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const quietFor = this.now() - this.lastHeard;
    if (quietFor >= this.silenceMs) {
      this.stop();
      this.silent();
    } else if (!this.pinged && quietFor >= this.silenceMs * 0.4) {
      this.pinged = true;
      this.ping();
    }
  }
}
