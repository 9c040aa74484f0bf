import type { FastifyInstance } from 'fastify';
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_listen_socket } from '@trufflesuite/uws-js-unofficial';
import type { HostPort } from '../config/index.js';
import type { UwsModule } from './native.js';
import type { SocketListener, TransportOptions, TransportSocket, WebSocketTransport } from './types.js';

/** Set at the upgrade; the socket object joins at open. */
interface SocketData {
  protocol: string;
  remoteAddress: string;
  forwardedFor: string | undefined;
  compressed: boolean;
  socket: UwsSocket | undefined;
}

/** Frames below this go uncompressed, as with ws' threshold: deflating a few bytes costs more than it saves. */
const COMPRESSION_THRESHOLD = 256;
/**
 * uWebSockets drops frames beyond this much backpressure. The gateway finds slow clients itself (bufferedAmount
 * against MESSAGE_QUEUE_SIZE) and closes them long before, so this only bounds the worst case.
 */
const MAX_BACKPRESSURE = 64 * 1024 * 1024;
/**
 * uWebSockets cuts a connection whose frame exceeds its limit without a close frame (1006). Its limit is set this
 * far above the protocol's, so a frame that is merely too big is read and refused with 1009, as with ws.
 */
const PAYLOAD_HEADROOM = 64 * 1024;
const MESSAGE_TOO_BIG = 1009;
/** Response headers uWebSockets writes itself. */
const OWN_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

/** What the App has beyond the package's typings. */
type NativeApp = Omit<TemplatedApp, 'listen'> & {
  listen(host: string, port: number, options: number, cb: (socket: us_listen_socket | false) => void): TemplatedApp;
  close(): void;
};

const text = (buffer: ArrayBuffer) => Buffer.from(buffer).toString('latin1');

class UwsSocket implements TransportSocket {
  private closed = false;
  private listener: SocketListener | undefined;

  constructor(
    private readonly ws: WebSocket<SocketData>,
    private readonly data: SocketData,
    private readonly maxPayload: number,
  ) {}

  get protocol(): string {
    return this.data.protocol;
  }

  get remoteAddress(): string {
    return this.data.remoteAddress;
  }

  get forwardedFor(): string | undefined {
    return this.data.forwardedFor;
  }

  get compressed(): boolean {
    return this.data.compressed;
  }

  get open(): boolean {
    return !this.closed;
  }

  get bufferedAmount(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }

  listen(listener: SocketListener): void {
    this.listener = listener;
  }

  send(frame: string | Uint8Array): void {
    if (this.closed) return;
    const binary = typeof frame !== 'string';
    this.ws.send(frame, binary, this.data.compressed && (binary ? frame.byteLength : frame.length) >= COMPRESSION_THRESHOLD);
  }

  ping(): void {
    if (!this.closed) this.ws.ping();
  }

  // uWebSockets calls the close handler inside end() and close(): the socket is closed when they return.
  close(code: number, reason: string): void {
    if (!this.closed) this.ws.end(code, reason);
  }

  terminate(): void {
    if (!this.closed) this.ws.close();
  }

  message(data: ArrayBuffer, isBinary: boolean): void {
    if (data.byteLength > this.maxPayload) this.close(MESSAGE_TOO_BIG, 'message too big');
    else this.listener?.message(Buffer.from(data), isBinary);
  }

  pong(): void {
    this.listener?.pong();
  }

  closedWith(code: number): void {
    this.closed = true;
    this.listener?.close(code);
  }
}

/**
 * uWebSockets.js (its native binary; see native.ts) on the gateway's address. It carries `/ws` itself and hands
 * every other request to the Fastify app in-process (`inject`), so the HTTP API, OpenAPI and /metrics answer on the
 * same port as with `ws`. Its sockets cannot leave the process: a node of several processes uses `ws`.
 */
export class UwsTransport implements WebSocketTransport {
  readonly name = 'uws';
  private readonly app: NativeApp;
  private listenSocket: us_listen_socket | undefined;
  private handler: ((socket: TransportSocket) => void) | undefined;

  constructor(
    private readonly uws: UwsModule,
    private readonly gateway: FastifyInstance,
    private readonly options: TransportOptions,
  ) {
    this.app = uws.App() as unknown as NativeApp;
    this.app.ws<SocketData>('/ws', {
      maxPayloadLength: options.maxPayload + PAYLOAD_HEADROOM,
      // Heartbeats are the gateway's (CONNECTION_TIMEOUT), as with ws.
      idleTimeout: 0,
      sendPingsAutomatically: false,
      maxBackpressure: MAX_BACKPRESSURE,
      closeOnBackpressureLimit: 0,
      compression: options.compression ? uws.SHARED_COMPRESSOR | uws.SHARED_DECOMPRESSOR : uws.DISABLED,
      upgrade: (res, req, context) => this.upgrade(res, req, context),
      open: (ws) => {
        const data = ws.getUserData();
        const socket = new UwsSocket(ws, data, options.maxPayload);
        data.socket = socket;
        this.handler?.(socket);
      },
      message: (ws, message, isBinary) => ws.getUserData().socket?.message(message, isBinary),
      pong: (ws) => ws.getUserData().socket?.pong(),
      close: (ws, code) => ws.getUserData().socket?.closedWith(code),
    });
    this.app.any('/*', (res, req) => this.forward(res, req));
  }

  onConnection(handler: (socket: TransportSocket) => void): void {
    this.handler = handler;
  }

  async listen(address: HostPort): Promise<number> {
    await this.gateway.ready();
    const listenSocket = await new Promise<us_listen_socket | false>((resolve) =>
      // Exclusive: by default uWebSockets shares a port another process already listens on (SO_REUSEPORT).
      this.app.listen(address.host, address.port, this.uws.LIBUS_LISTEN_EXCLUSIVE_PORT, resolve),
    );
    if (!listenSocket) throw new Error(`cannot listen on ${address.host}:${address.port} (address in use or not available)`);
    this.listenSocket = listenSocket;
    return this.uws.us_socket_local_port(listenSocket);
  }

  async close(): Promise<void> {
    if (this.listenSocket) this.uws.us_listen_socket_close(this.listenSocket);
    this.listenSocket = undefined;
    // Also ends kept-alive HTTP connections, which would otherwise hold the process open.
    this.app.close();
  }

  private upgrade(res: HttpResponse, req: HttpRequest, context: unknown): void {
    // The request object is only valid until this function returns or awaits.
    const key = req.getHeader('sec-websocket-key');
    const extensions = req.getHeader('sec-websocket-extensions');
    const offered = new Set(
      req
        .getHeader('sec-websocket-protocol')
        .split(',')
        .map((protocol) => protocol.trim())
        .filter((protocol) => protocol.length > 0),
    );
    const protocol = this.options.selectProtocol(offered) ?? '';
    const data: SocketData = {
      protocol,
      remoteAddress: text(res.getRemoteAddressAsText()),
      forwardedFor: req.getHeader('x-forwarded-for') || undefined,
      compressed: this.options.compression && extensions.includes('permessage-deflate'),
      socket: undefined,
    };
    res.upgrade(data, key, protocol, extensions, context as Parameters<HttpResponse['upgrade']>[4]);
  }

  /** One HTTP request, read in full and handed to Fastify. */
  private forward(res: HttpResponse, req: HttpRequest): void {
    const method = req.getMethod();
    const query = req.getQuery();
    const url = query ? `${req.getUrl()}?${query}` : req.getUrl();
    if (req.getHeader('upgrade')) {
      res.writeStatus('404 Not Found').writeHeader('connection', 'close').end(undefined, true);
      return;
    }
    const headers: Record<string, string> = {};
    req.forEach((name, value) => {
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    });
    const remoteAddress = text(res.getRemoteAddressAsText());
    const bodyLimit = this.gateway.initialConfig.bodyLimit ?? 1_048_576;
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      size += chunk.byteLength;
      // Past the limit nothing more is kept; Fastify answers 413 from the size, as it does on a socket.
      if (size <= bodyLimit && chunk.byteLength > 0) chunks.push(Buffer.from(chunk.slice(0)));
      if (!isLast) return;
      if (size > bodyLimit) headers['content-length'] = String(size);
      const payload = size > bodyLimit || chunks.length === 0 ? undefined : Buffer.concat(chunks);
      this.gateway.inject({ method: method.toUpperCase() as 'GET', url, headers, payload, remoteAddress }).then(
        (response) => {
          if (aborted) return;
          res.cork(() => {
            res.writeStatus(`${response.statusCode} ${response.statusMessage}`);
            for (const [name, value] of Object.entries(response.headers)) {
              if (value === undefined || OWN_HEADERS.has(name)) continue;
              for (const one of Array.isArray(value) ? value : [value]) res.writeHeader(name, String(one));
            }
            if (method === 'head') res.endWithoutBody(Number(response.headers['content-length'] ?? 0));
            else res.end(response.rawPayload);
          });
        },
        () => {
          if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end());
        },
      );
    });
  }
}
