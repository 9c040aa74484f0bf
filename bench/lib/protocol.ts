import type { LatencyHistogram } from './histogram.js';
import type { TargetName } from './targets.js';

/** One bot's assignment. */
export interface BotSpec {
  name: string;
  /** Absent for an idle bot: it authenticates and then only answers pings. */
  roomId?: string;
}

export interface BotProcessConfig {
  target: TargetName;
  url: string;
  bots: BotSpec[];
  inputRate: number;
  /** 'full' decodes every snapshot like the SDK; 'ack' reads only what latency needs (cheap bots for big runs). */
  decode: 'full' | 'ack';
  /**
   * For GameV1-protocol targets: 'ws' bots use the `ws` client like the SDK; 'raw' bots write frames on raw
   * sockets and never decode snapshots (raw-gamev1-driver.ts), so capacity runs measure the server, not the bots.
   * The Colyseus peer always uses its own client.
   */
  driver: 'ws' | 'raw';
  /** Loopback source address, so many processes do not share one ephemeral port range. */
  localAddress: string;
  /** Milliseconds between connection attempts, to ramp without a thundering herd. */
  connectSpacingMs: number;
}

/** Per-second report of a bot process. */
export interface BotStats {
  connected: number;
  /** Bots that gave up connecting (after retries), or errors after joining. */
  errors: number;
  /** Connection attempts refused or reset and tried again. */
  retries: number;
  disconnects: number;
  snapshotBytes: number;
  snapshots: number;
  inputs: number;
  latency: ReturnType<LatencyHistogram['toSparse']>;
}

export type ParentMessage = { type: 'start'; config: BotProcessConfig } | { type: 'stop' };
export type ChildMessage = { type: 'stats'; stats: BotStats } | { type: 'stopped' } | { type: 'fatal'; message: string };

/** What a bot needs from a server-specific client. */
export interface BotDriver {
  connect(): Promise<void>;
  sendInput(sequence: number, movement: { x: number; y: number; z: number }, actions: string[]): void;
  close(): void;
}

export interface BotEvents {
  /** A snapshot arrived, acknowledging inputs up to `ack`; `bytes` is its size on the wire. */
  onSnapshot(ack: number, bytes: number): void;
  onError(error: Error): void;
  onClose(): void;
}
