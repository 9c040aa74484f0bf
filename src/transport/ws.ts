import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { HostPort } from '../config/index.js';
import { adoptSocket, detachSocket, type SocketHandle } from './handoff.js';
import type { SocketListener, TransportOptions, TransportSocket, WebSocketTransport } from './types.js';

// Shared option objects: a send happens per client per snapshot, so no per-call allocation.
const TEXT_FRAME = { binary: false } as const;
const BINARY_FRAME = { binary: true } as const;

const toBuffer = (data: RawData): Buffer => (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data));

/** A `ws` connection. It can leave this process with its OS socket (`detach`), which no other transport can. */
export class WsSocket implements TransportSocket {
  readonly compressed: boolean;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    readonly forwardedFor: string | undefined,
  ) {
    this.compressed = Object.keys(ws.extensions).length > 0;
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  listen(listener: SocketListener): void {
    const { ws } = this;
    ws.on('message', (data, isBinary) => listener.message(toBuffer(data), isBinary));
    ws.on('pong', () => listener.pong());
    ws.on('close', (code) => listener.close(code));
    // Errors end in 'close'; without a listener ws would throw them.
    ws.on('error', () => undefined);
  }

  send(frame: string | Uint8Array): void {
    this.ws.send(frame, typeof frame === 'string' ? TEXT_FRAME : BINARY_FRAME);
  }

  ping(): void {
    this.ws.ping();
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Takes the OS socket away, between two frames, for another process of this host (see handoff.ts). */
  detach(timeoutMs: number): Promise<SocketHandle> {
    return detachSocket(this.ws, timeoutMs);
  }
}

/** `ws` on Node's HTTP server, which Fastify serves: the portable transport, and the one whose sockets can move. */
export class WsTransport implements WebSocketTransport {
  readonly name = 'ws';
  private readonly wss: WebSocketServer;
  private handler: ((socket: TransportSocket) => void) | undefined;

  constructor(
    private readonly gateway: FastifyInstance,
    options: TransportOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      // The owner tracks connections (ws' own set would keep the ones that moved to another process).
      clientTracking: false,
      maxPayload: options.maxPayload,
      perMessageDeflate: options.compression ? { threshold: 256 } : false,
      handleProtocols: (offered) => options.selectProtocol(offered) ?? false,
    });
    this.server.on('upgrade', this.onUpgrade);
  }

  /** Node's HTTP server: a process of a multi-process node feeds it the connections its primary hands over. */
  get server(): Server {
    return this.gateway.server;
  }

  onConnection(handler: (socket: TransportSocket) => void): void {
    this.handler = handler;
  }

  async listen(address: HostPort): Promise<number> {
    await this.gateway.listen({ host: address.host, port: address.port, exclusive: true });
    return (this.server.address() as { port: number }).port;
  }

  /** Wraps a socket another process of this host moved here. */
  adopt(handle: SocketHandle, remoteAddress: string): WsSocket {
    return new WsSocket(adoptSocket(handle, this.wss.options), remoteAddress, undefined);
  }

  async close(): Promise<void> {
    this.server.off('upgrade', this.onUpgrade);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (request.url ?? '').split('?')[0];
    const handler = this.handler;
    if (path !== '/ws' || !handler) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const forwarded = request.headers['x-forwarded-for'];
      handler(new WsSocket(ws, request.socket.remoteAddress ?? 'unknown', Array.isArray(forwarded) ? forwarded[0] : forwarded));
    });
  };
}
