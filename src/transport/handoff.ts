/**
 * Moving an open WebSocket to another process of this host. Node passes OS socket handles over its IPC
 * channel; `ws` has no API for detaching or attaching an upgraded socket, so this module is the one place
 * that touches ws' and net's internals (pinned by the lockfile; test/cluster.test.ts covers the whole move).
 */
import net from 'node:net';
import { WebSocket, type ServerOptions } from 'ws';

/** A libuv TCP handle in transit between processes; opaque everywhere else. */
export type SocketHandle = { readonly __brand: 'SocketHandle' };

interface NativeHandle {
  readStop(): number;
  onread: unknown;
}
interface SocketInternals {
  _handle: NativeHandle | null;
}
interface ReceiverInternals {
  _state: number;
  _bufferedBytes: number;
  _fragmented: number;
  writableLength: number;
}
interface WebSocketInternals {
  _socket: net.Socket | null;
  _receiver: ReceiverInternals | null;
  setSocket(socket: net.Socket, head: Buffer, options: Record<string, unknown>): void;
}

/** ws' Receiver state between frames (GET_INFO). */
const RECEIVER_BETWEEN_FRAMES = 0;
const NO_HEAD = Buffer.alloc(0);
const WS_SOCKET_EVENTS = ['data', 'end', 'close', 'error'] as const;
const ignore = () => undefined;

export class HandoffError extends Error {
  override name = 'HandoffError';
}

function betweenFrames(receiver: ReceiverInternals): boolean {
  return (
    receiver._state === RECEIVER_BETWEEN_FRAMES &&
    receiver._bufferedBytes === 0 &&
    receiver._fragmented === 0 &&
    receiver.writableLength === 0
  );
}

function within(timeoutMs: number, what: string, executor: (resolve: () => void, cleanup: (fn: () => void) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    const timer = setTimeout(() => {
      for (const fn of cleanups) fn();
      reject(new HandoffError(`${what} did not happen within ${timeoutMs} ms`));
    }, timeoutMs);
    executor(
      () => {
        clearTimeout(timer);
        for (const fn of cleanups) fn();
        resolve();
      },
      (fn) => cleanups.push(fn),
    );
  });
}

/**
 * Takes the OS socket away from an open `ws` connection without closing it: waits until the receiver sits
 * between two frames (so no half-read frame is left behind), stops reading (unread bytes stay in the kernel
 * for the next owner), waits until everything written has reached the kernel, then detaches the socket.
 * Messages ws still emits before the detach are the caller's to forward. Rejects with HandoffError when
 * the connection closes or does not settle in time; the connection is then the caller's to close.
 */
export async function detachSocket(ws: WebSocket, timeoutMs: number): Promise<SocketHandle> {
  const internals = ws as unknown as WebSocketInternals;
  const socket = internals._socket;
  const receiver = internals._receiver;
  if (!socket || !receiver || ws.readyState !== WebSocket.OPEN) throw new HandoffError('connection is not open');
  if (Object.keys(ws.extensions).length > 0) throw new HandoffError('compressed connections cannot move');

  await within(timeoutMs, 'a frame boundary', (resolve, cleanup) => {
    const check = () => {
      if (betweenFrames(receiver)) resolve();
    };
    // ws parses each chunk synchronously in its own 'data' listener, which runs before this one.
    // The join arrives mid-chunk: look again once ws has parsed the rest of it, then after every chunk.
    socket.on('data', check);
    const afterChunk = setImmediate(check);
    cleanup(() => {
      socket.off('data', check);
      clearImmediate(afterChunk);
    });
  });
  const native = (socket as unknown as SocketInternals)._handle;
  if (!native || ws.readyState !== WebSocket.OPEN) throw new HandoffError('connection closed while moving');
  native.readStop();

  while (socket.writableLength > 0) {
    await within(timeoutMs, 'flushing queued frames', (resolve, cleanup) => {
      socket.once('drain', resolve);
      cleanup(() => socket.off('drain', resolve));
    });
    if ((socket as unknown as SocketInternals)._handle !== native) throw new HandoffError('connection closed while moving');
  }
  // A close started meanwhile (heartbeat, shutdown) has already sent its close frame: the move is off.
  if (ws.readyState !== WebSocket.OPEN) throw new HandoffError('connection closed while moving');

  for (const event of WS_SOCKET_EVENTS) socket.removeAllListeners(event);
  socket.on('error', ignore);
  native.onread = ignore;
  // Without its handle, destroy() only settles the server's connection count; the descriptor stays open.
  (socket as unknown as SocketInternals)._handle = null;
  socket.destroy();
  return native as unknown as SocketHandle;
}

/** Wraps a socket handle received from another process in an open `ws` connection set up as `server` would. */
export function adoptSocket(handle: SocketHandle, options: ServerOptions): WebSocket {
  const socket = new net.Socket({ handle, readable: true, writable: true } as net.SocketConstructorOpts);
  const ws = new WebSocket(null as unknown as string, undefined, options as ConstructorParameters<typeof WebSocket>[2]);
  const { allowSynchronousEvents, generateMask, maxBufferedChunks, maxFragments, maxPayload, skipUTF8Validation } = options as Record<string, unknown>;
  (ws as unknown as WebSocketInternals).setSocket(socket, NO_HEAD, {
    allowSynchronousEvents,
    generateMask,
    maxBufferedChunks,
    maxFragments,
    maxPayload,
    skipUTF8Validation,
  });
  return ws;
}
