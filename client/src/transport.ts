/**
 * The slice of the WebSocket API the SDK uses, satisfied by the browser's WebSocket and by the `ws`
 * package's (Node 20 has no global WebSocket).
 */
export interface MessageEventLike {
  data: unknown;
}

export interface CloseEventLike {
  code: number;
  reason: string;
}

/** Handler slots are declared method-style so both DOM and `ws` event types fit (bivariant parameters). */
type Handler<E> = { handle(event: E): void }['handle'];

export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<MessageEventLike> | null;
  onclose: Handler<CloseEventLike> | null;
  onerror: Handler<unknown> | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export const WS_OPEN = 1;

/** The global WebSocket in browsers (and Node 22+); undefined on Node 20. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
}

/** `http(s)://host:port[/prefix]` → base URL for HTTP and `ws(s)://host:port[/prefix]/ws`. */
export function serverUrls(serverUrl: string): { http: string; ws: string } {
  const base = serverUrl.replace(/\/+$/, '');
  const match = /^(https?|wss?):\/\/(.+)$/i.exec(base);
  if (!match) throw new TypeError(`serverUrl must start with http://, https://, ws:// or wss://, got ${serverUrl}`);
  const secure = /s$/i.test(match[1]!);
  const rest = match[2]!;
  return { http: `${secure ? 'https' : 'http'}://${rest}`, ws: `${secure ? 'wss' : 'ws'}://${rest}/ws` };
}

/** Normalises a received frame: text stays a string, binary becomes a Uint8Array. */
export function frameData(data: unknown): { payload: string | Uint8Array; isBinary: boolean } {
  if (typeof data === 'string') return { payload: data, isBinary: false };
  if (data instanceof ArrayBuffer) return { payload: new Uint8Array(data), isBinary: true };
  if (ArrayBuffer.isView(data)) return { payload: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), isBinary: true };
  // `ws` with binaryType 'fragments' or an unexpected type: fail loudly rather than misparse.
  throw new TypeError('unsupported WebSocket frame data (set binaryType to "arraybuffer")');
}
