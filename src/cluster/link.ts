import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import type { MovedConnection, SocketHandle } from '../rooms/index.js';
import { isClusterMessage, type ControlMessage, type Envelope, type WireError } from './messages.js';

type IncomingHandle = SocketHandle | Socket | undefined;

/** What a worker process's IPC channel to the primary offers (`process` in a cluster worker). */
export interface IpcChannel {
  send(message: Envelope | ControlMessage, handle?: SocketHandle): boolean;
  on(event: 'message', listener: (message: unknown, handle: IncomingHandle) => void): unknown;
  off(event: 'message', listener: (message: unknown, handle: IncomingHandle) => void): unknown;
}

type Handler = (args: never) => Promise<unknown>;

const CALL_TIMEOUT_MS = 3_000;
const WORKER_INDEX_ENV = 'GAMEV1_WORKER_INDEX';
const WORKER_COUNT_ENV = 'GAMEV1_WORKER_COUNT';
const ROOM_HOST = /\.w(\d+)$/;

const internalError = (message: string): WireError => ({ category: 'internal', code: 'internal_error', message });

/** Anything but an AppError is a bug on the serving side: logged there; the caller learns only that it happened. */
function toWire(error: unknown): WireError {
  if (error instanceof AppError) return { category: error.category, code: error.code, message: error.message };
  return internalError('internal error in a sibling process');
}

const fromWire = (error: WireError): AppError => new AppError(error.category, error.code, error.message);

/**
 * One worker process's line to its siblings on this host, relayed by the primary: request/reply calls, and
 * connections moved (with their socket) to the process hosting the room they join. Room ids end in `.wN`,
 * the index of the process that hosts them, so any process can route by id alone.
 */
export class WorkerLink {
  private nextCall = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  private readonly handlers = new Map<string, Handler>();
  private arrive: ((handle: SocketHandle, moved: MovedConnection) => void) | undefined;
  private accept: ((socket: Socket) => void) | undefined;

  constructor(
    /** 1-based index of this process. */
    readonly index: number,
    readonly count: number,
    private readonly channel: IpcChannel,
    private readonly logger: Logger,
  ) {
    channel.on('message', this.onMessage);
  }

  /** This process's place among the workers the primary started; undefined in a standalone process. */
  static slotFromEnvironment(env: NodeJS.ProcessEnv = process.env): { index: number; count: number } | undefined {
    const index = Number(env[WORKER_INDEX_ENV]);
    const count = Number(env[WORKER_COUNT_ENV]);
    if (!Number.isInteger(index) || !Number.isInteger(count) || index < 1 || index > count) return undefined;
    return { index, count };
  }

  static environmentFor(index: number, count: number): Record<string, string> {
    return { [WORKER_INDEX_ENV]: String(index), [WORKER_COUNT_ENV]: String(count) };
  }

  /** Appended to the ids of rooms created in this process. */
  get roomIdSuffix(): string {
    return `.w${this.index}`;
  }

  get siblings(): number[] {
    return Array.from({ length: this.count }, (_, i) => i + 1).filter((index) => index !== this.index);
  }

  /** The process hosting `roomId`, or undefined when the id names none of this host's processes. */
  hostOf(roomId: string): number | undefined {
    const match = ROOM_HOST.exec(roomId);
    const index = match ? Number(match[1]) : NaN;
    return index >= 1 && index <= this.count ? index : undefined;
  }

  /** Answers calls named `op` from sibling processes. */
  serve<Args, Result>(op: string, handler: (args: Args) => Promise<Result>): void {
    this.handlers.set(op, handler as Handler);
  }

  /** Calls `op` in process `target`; an AppError thrown there (a RoomError too) is thrown here as an AppError. */
  call<Result>(target: number, op: string, args: unknown): Promise<Result> {
    const id = this.nextCall++;
    return new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppError('unavailable', 'worker_unavailable', `process ${target} did not answer within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.channel.send({ gamev1: 'call', from: this.index, to: target, id, op, args });
    });
  }

  /** Calls `op` in every sibling; one that does not answer (restarting) is logged and left out. */
  async callSiblings<Result>(op: string, args: unknown): Promise<Result[]> {
    const answers = await Promise.allSettled(this.siblings.map((target) => this.call<Result>(target, op, args)));
    const results: Result[] = [];
    for (const answer of answers) {
      if (answer.status === 'fulfilled') results.push(answer.value);
      else this.logger.warn({ err: answer.reason, op }, 'a sibling process did not answer');
    }
    return results;
  }

  move(target: number, connection: MovedConnection, handle: SocketHandle): void {
    this.channel.send({ gamev1: 'move', from: this.index, to: target, connection }, handle);
  }

  /** Where connections moved to this process go. */
  onArrival(arrive: (handle: SocketHandle, moved: MovedConnection) => void): void {
    this.arrive = arrive;
  }

  /** Where new client connections the primary hands to this process go (the gateway's HTTP server). */
  onConnection(accept: (socket: Socket) => void): void {
    this.accept = accept;
  }

  /** Tells the primary to start handing this process connections. */
  ready(): void {
    this.channel.send({ gamev1: 'ready' });
  }

  close(): void {
    this.channel.off('message', this.onMessage);
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      call.reject(new AppError('unavailable', 'worker_unavailable', 'shutting down'));
      this.pending.delete(id);
    }
  }

  private readonly onMessage = (message: unknown, handle: IncomingHandle): void => {
    if (!isClusterMessage(message)) return;
    if (message.gamev1 === 'connection') {
      if (handle && this.accept) this.accept(handle as Socket);
      else (handle as Socket | undefined)?.destroy();
      return;
    }
    if (message.gamev1 === 'ready' || message.to !== this.index) return;
    switch (message.gamev1) {
      case 'call':
        void this.answer(message.from, message.id, message.op, message.args);
        return;
      case 'reply': {
        const call = this.pending.get(message.id);
        if (!call) return;
        this.pending.delete(message.id);
        clearTimeout(call.timer);
        if (message.ok) call.resolve(message.value);
        else call.reject(fromWire(message.error));
        return;
      }
      case 'move':
        if (handle && this.arrive) this.arrive(handle as SocketHandle, message.connection);
        return;
    }
  };

  private async answer(from: number, id: number, op: string, args: unknown): Promise<void> {
    const reply = (result: { ok: true; value: unknown } | { ok: false; error: WireError }) =>
      this.channel.send({ gamev1: 'reply', from: this.index, to: from, id, ...result });
    const handler = this.handlers.get(op);
    if (!handler) return void reply({ ok: false, error: internalError(`unknown call ${op}`) });
    try {
      reply({ ok: true, value: await handler(args as never) });
    } catch (error) {
      if (!(error instanceof AppError)) this.logger.error({ err: error, op }, 'sibling call failed');
      reply({ ok: false, error: toWire(error) });
    }
  }
}
