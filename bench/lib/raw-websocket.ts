/**
 * A WebSocket client written on a bare `net.Socket`, for bots that must cost far less than the server they
 * load: the HTTP upgrade and the RFC 6455 framing by hand, no per-message events or allocations beyond the
 * frame being sent. It speaks only what a bench bot needs: unfragmented binary messages, ping → pong, close.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawWebSocketEvents {
  /** The upgrade succeeded with the requested subprotocol. */
  open(): void;
  /** One binary message; `payload` is only valid during the call (it lives in a shared read buffer). */
  message(payload: Buffer): void;
  error(error: Error): void;
  close(): void;
}

const OPCODE = { binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;
/** Client frames must be masked (RFC 6455 §5.3); the server cannot tell a fixed key from a random one. */
const MASK = Buffer.from([0x5a, 0x3c, 0x96, 0xe1]);
/** Every socket of the process reads into this one buffer: its bytes are consumed before the next read. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const HEADERS_END = '\r\n\r\n';

export class RawWebSocket {
  private readonly socket: Socket;
  private upgraded = false;
  /** Bytes of an incomplete handshake or frame, copied out of the shared read buffer. */
  private pending: Buffer | undefined;

  constructor(
    url: string,
    private readonly subprotocol: string,
    localAddress: string,
    private readonly events: RawWebSocketEvents,
  ) {
    const { hostname, port, pathname } = new URL(url);
    this.socket = connect({
      host: hostname,
      port: Number(port),
      localAddress,
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (length) => this.onBytes(READ_BUFFER.subarray(0, length)) },
    });
    this.socket.once('connect', () =>
      this.socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Protocol: ${subprotocol}\r\n\r\n`,
      ),
    );
    this.socket.on('error', (error) => this.events.error(error));
    this.socket.on('close', () => this.events.close());
  }

  /** Sends one masked binary frame, header and payload in a single write. */
  send(payload: Uint8Array): void {
    this.sendFrame(OPCODE.binary, payload);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private sendFrame(opcode: number, payload: Uint8Array): void {
    if (this.socket.destroyed || !this.upgraded) return;
    const lengthBytes = payload.length < 126 ? 0 : payload.length < 65536 ? 2 : 8;
    const start = 2 + lengthBytes + 4;
    const frame = Buffer.allocUnsafe(start + payload.length);
    frame[0] = 0x80 | opcode;
    if (lengthBytes === 0) {
      frame[1] = 0x80 | payload.length;
    } else if (lengthBytes === 2) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(payload.length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    MASK.copy(frame, start - 4);
    for (let i = 0; i < payload.length; i++) frame[start + i] = payload[i]! ^ MASK[i & 3]!;
    this.socket.write(frame);
  }

  /** Returns true to keep reading (the `onread` contract). */
  private onBytes(chunk: Buffer): boolean {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    try {
      if (!this.upgraded) {
        const end = data.indexOf(HEADERS_END);
        if (end < 0) {
          this.pending = Buffer.from(data);
          return true;
        }
        this.checkUpgrade(data.toString('latin1', 0, end));
        this.upgraded = true;
        this.events.open();
        data = data.subarray(end + HEADERS_END.length);
      }
      const consumed = this.readFrames(data);
      if (consumed < data.length) this.pending = Buffer.from(data.subarray(consumed));
    } catch (error) {
      this.events.error(error as Error);
      this.socket.destroy();
    }
    return true;
  }

  private checkUpgrade(head: string): void {
    const [status, ...headers] = head.split('\r\n');
    if (!/^HTTP\/1\.1 101 /.test(status ?? '')) throw new Error(`upgrade refused: ${status}`);
    const protocol = headers.find((line) => line.toLowerCase().startsWith('sec-websocket-protocol:'));
    // Without the subprotocol the server would speak JSON, which these bots do not read.
    if (protocol?.split(':')[1]?.trim() !== this.subprotocol) throw new Error(`server did not accept subprotocol ${this.subprotocol}`);
  }

  /** Handles every complete frame in `data`; returns how many bytes they took. */
  private readFrames(data: Buffer): number {
    let at = 0;
    while (data.length - at >= 2) {
      const first = data[at]!;
      const second = data[at + 1]!;
      if ((first & 0x80) === 0 || (first & 0x0f) === 0) throw new Error('fragmented frames are not expected from the server');
      if (second & 0x80) throw new Error('server frames must not be masked');
      let length = second & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (data.length - at < header + length) break;
      const payload = data.subarray(at + header, at + header + length);
      at += header + length;
      this.onFrame(first & 0x0f, payload);
    }
    return at;
  }

  private onFrame(opcode: number, payload: Buffer): void {
    if (opcode === OPCODE.binary) {
      this.events.message(payload);
    } else if (opcode === OPCODE.ping) {
      // The server closes connections that stop answering its pings.
      this.sendFrame(OPCODE.pong, payload);
    } else if (opcode === OPCODE.close) {
      this.sendFrame(OPCODE.close, payload.subarray(0, 2));
      this.socket.end();
    } else if (opcode !== OPCODE.pong) {
      throw new Error(`unexpected frame opcode ${opcode}`);
    }
  }
}
