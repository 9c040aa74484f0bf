import { WebSocket } from 'ws';
import { decodeServerFrame, encodeMessage, type ServerMessage } from '../../src/protocol/index.js';

type Message<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/**
 * A protocol-level test client: raw `ws` socket, every server message kept in order, and `next()` to await
 * the next message of a type. For tests of the wire protocol itself; game-level tests use the SDK.
 */
export class TestSocket {
  readonly received: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (message: ServerMessage) => boolean; resolve: (message: ServerMessage) => void }[] = [];
  private cursor = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      const message = decodeServerFrame(isBinary ? new Uint8Array(data) : data.toString('utf8'), isBinary);
      this.received.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(baseUrl: string, protocol?: string): Promise<TestSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, protocol ? [protocol] : []);
    const socket = new TestSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  get binary(): boolean {
    return this.ws.protocol === 'gamev1.msgpack';
  }

  send(message: object): void {
    const frame = encodeMessage(message as never, this.binary ? 'msgpack' : 'json');
    this.ws.send(frame);
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** The next message of `type` (after the last one returned) that satisfies `match`. */
  next<T extends ServerMessage['type']>(type: T, match: (message: Message<T>) => boolean = () => true, timeoutMs = 5_000): Promise<Message<T>> {
    const fits = (message: ServerMessage): message is Message<T> => message.type === type && match(message as Message<T>);
    for (let i = this.cursor; i < this.received.length; i++) {
      const message = this.received[i]!;
      if (fits(message)) {
        this.cursor = i + 1;
        return Promise.resolve(message);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms; got ${this.received.map((m) => m.type).slice(-10).join(', ')}`)), timeoutMs);
      this.waiters.push({
        match: fits,
        resolve: (message) => {
          clearTimeout(timer);
          this.cursor = this.received.length;
          resolve(message as Message<T>);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}
