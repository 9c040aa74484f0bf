import type { FastifyInstance } from 'fastify';
import type { HostPort } from '../config/index.js';
import type { SocketHandle } from './handoff.js';

/** What a connection's socket tells its owner. */
export interface SocketListener {
  /** `data` is only valid during the call: decode it before returning. */
  message(data: Buffer, isBinary: boolean): void;
  pong(): void;
  close(code: number): void;
}

/** One accepted WebSocket, whatever library carries it. */
export interface TransportSocket {
  /** The subprotocol agreed at the upgrade ('' when none). */
  readonly protocol: string;
  /** The peer's address, and the X-Forwarded-For header of the upgrade request (for TRUST_PROXY). */
  readonly remoteAddress: string;
  readonly forwardedFor: string | undefined;
  readonly open: boolean;
  /** Bytes written but not yet taken by the kernel. */
  readonly bufferedAmount: number;
  /** True when permessage-deflate was negotiated. */
  readonly compressed: boolean;
  /** Sets who hears this socket's events; call once, right after accepting it. */
  listen(listener: SocketListener): void;
  /** A string goes as a text frame, bytes as a binary frame. */
  send(frame: string | Uint8Array): void;
  ping(): void;
  /** Starts the closing handshake. */
  close(code: number, reason: string): void;
  /** Cuts the connection without a handshake. */
  terminate(): void;
  /**
   * Where the transport can (ws): takes the OS socket away, between two frames, for another process of this host.
   * Rejects when the connection closes or does not settle in time; it is then the caller's to close.
   */
  detach?(timeoutMs: number): Promise<SocketHandle>;
}

export interface TransportOptions {
  maxPayload: number;
  compression: boolean;
  /** Picks the subprotocol from those the client offers; undefined accepts the connection without one. */
  selectProtocol(offered: ReadonlySet<string>): string | undefined;
}

export type TransportName = 'ws' | 'uws';

/**
 * Serves the gateway (the Fastify app) and `/ws` on one address. Every accepted WebSocket on `/ws` goes to the
 * handler given to `onConnection`; any other upgrade is answered 404.
 */
export interface WebSocketTransport {
  readonly name: TransportName;
  onConnection(handler: (socket: TransportSocket) => void): void;
  /** Starts serving; resolves with the port it listens on. */
  listen(address: HostPort): Promise<number>;
  /** Stops accepting WebSockets; open sockets are the owner's to close first. */
  close(): Promise<void>;
  /** Where sockets can move (ws): wraps one another process of this host detached. */
  adopt?(handle: SocketHandle, remoteAddress: string): TransportSocket;
}

export type TransportFactory = (gateway: FastifyInstance, options: TransportOptions) => WebSocketTransport;
