import { encodeMessage, type ClientMessage, type Encoding, type ServerMessage } from '../../protocol/index.js';
import type { Room, RoomConnection } from '../../rooms/index.js';
import type { TransportSocket } from '../../transport/index.js';

/** Close codes of the protocol (docs/protocol.md). */
export const CloseCode = {
  GoingAway: 1001,
  PolicyViolation: 1008,
  TryAgainLater: 1013,
  HeartbeatTimeout: 4000,
  AuthTimeout: 4001,
  SlowClient: 4002,
  AuthFailed: 4003,
  Replaced: 4004,
} as const;

export interface AuthenticatedPlayer {
  id: string;
  name: string;
  isGuest: boolean;
}

/**
 * Where a connection is in its life. Messages that arrive while it is busy (authenticating, finding the room it
 * joins, moving to another process) are held and handled, in order, once it is not.
 */
export type ConnectionState =
  | { kind: 'unauthenticated' }
  | { kind: 'authenticating'; held: ClientMessage[] }
  | { kind: 'ready'; player: AuthenticatedPlayer; session: string | undefined; room: Room | undefined }
  /** `room`: the one it plays in while it rejoins it (the room still counts on this connection). */
  | { kind: 'joining'; player: AuthenticatedPlayer; session: string | undefined; room: Room | undefined; held: ClientMessage[] }
  | { kind: 'moving'; player: AuthenticatedPlayer; session: string | undefined; held: ClientMessage[] }
  /** The socket now belongs to another process: nothing may be sent through this object any more. */
  | { kind: 'moved' };

export type ReadyState = Extract<ConnectionState, { kind: 'ready' }>;

export interface ConnectionLimits {
  /** Messages per second; the bucket holds twice that. */
  messageRate: number;
  /** Bytes buffered for the client beyond which it counts as congested and misses snapshots. */
  congestionBytes: number;
  /** Messages that may still be queued while congested before the client is dropped. */
  messageQueueSize: number;
}

export interface ConnectionCounters {
  messageSent(bytes: number): void;
}

/**
 * One client's WebSocket: its state (who, which room), and the flow control around the socket (message rate
 * limit in, congestion and slow-client detection out). Protocol handling lives in the gateway.
 */
export class ClientConnection implements RoomConnection {
  state: ConnectionState = { kind: 'unauthenticated' };
  readonly connectedAt: number;
  lastSeenAt: number;
  /** Since when the client has been congested (undefined: it is keeping up). */
  congestedSince: number | undefined;
  private sentWhileCongested = 0;
  private tokens: number;
  private refilledAt: number;
  private droppedThisSecond = 0;
  private lastRateLimitNotice = 0;

  constructor(
    readonly socket: TransportSocket,
    readonly encoding: Encoding,
    readonly ip: string,
    private readonly limits: ConnectionLimits,
    private readonly counters: ConnectionCounters,
    now: number,
  ) {
    this.connectedAt = now;
    this.lastSeenAt = now;
    this.refilledAt = now;
    this.tokens = limits.messageRate * 2;
  }

  get open(): boolean {
    return this.state.kind !== 'moved' && this.socket.open;
  }

  /** The authenticated player, in every state that has one. */
  get player(): AuthenticatedPlayer | undefined {
    const { state } = this;
    return state.kind === 'ready' || state.kind === 'joining' || state.kind === 'moving' ? state.player : undefined;
  }

  /** The room this connection plays in. */
  get room(): Room | undefined {
    const { state } = this;
    return state.kind === 'ready' || state.kind === 'joining' ? state.room : undefined;
  }

  /** Messages waiting while the connection is busy, or undefined when they are handled as they come. */
  get held(): ClientMessage[] | undefined {
    const { state } = this;
    return state.kind === 'authenticating' || state.kind === 'joining' || state.kind === 'moving' ? state.held : undefined;
  }

  leftRoom(roomId: string): void {
    const { state } = this;
    if ((state.kind === 'ready' || state.kind === 'joining') && state.room?.id === roomId) state.room = undefined;
  }

  roomMoved(roomId: string): void {
    if (this.room?.id !== roomId) return;
    this.leftRoom(roomId);
    // The SDK reconnects on this close and rejoins; the server it reaches knows where the room went.
    this.close(CloseCode.TryAgainLater, 'room moved to another node; reconnect');
  }

  get congested(): boolean {
    return this.socket.bufferedAmount > this.limits.congestionBytes;
  }

  /** True once the client has let more than MESSAGE_QUEUE_SIZE messages pile up unread. */
  get overflowing(): boolean {
    return this.sentWhileCongested > this.limits.messageQueueSize;
  }

  send(message: ServerMessage): number {
    return this.sendFrame(encodeMessage(message, this.encoding));
  }

  sendFrame(frame: string | Uint8Array): number {
    if (!this.open) return 0;
    if (this.congested) {
      this.congestedSince ??= Date.now();
      this.sentWhileCongested++;
    } else {
      this.congestedSince = undefined;
      this.sentWhileCongested = 0;
    }
    this.socket.send(frame);
    const bytes = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength;
    this.counters.messageSent(bytes);
    return bytes;
  }

  /**
   * Takes one message from the token bucket. Returns 'ok', 'drop' (over the rate: drop it and tell the
   * client at most once a second) or 'flood' (dropping more than a whole second's worth: close).
   */
  admit(now: number): 'ok' | 'drop' | 'notify' | 'flood' {
    const elapsed = (now - this.refilledAt) / 1000;
    if (elapsed > 0) {
      this.tokens = Math.min(this.limits.messageRate * 2, this.tokens + elapsed * this.limits.messageRate);
      if (Math.floor(now / 1000) !== Math.floor(this.refilledAt / 1000)) this.droppedThisSecond = 0;
      this.refilledAt = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'ok';
    }
    if (++this.droppedThisSecond > this.limits.messageRate) return 'flood';
    if (now - this.lastRateLimitNotice >= 1000) {
      this.lastRateLimitNotice = now;
      return 'notify';
    }
    return 'drop';
  }

  close(code: number, reason: string): void {
    if (this.state.kind === 'moved' || !this.socket.open) return;
    this.socket.close(code, reason);
    // A client that does not answer the close handshake (e.g. it stopped reading) is cut off.
    setTimeout(() => this.socket.terminate(), 2_000).unref();
  }
}
