/**
 * Fakes and helpers for the room unit tests (Room, RoomManager, the room registries, matchmaking): a JSON
 * connection that keeps what it is sent, a recorder and metrics that count what they are told, a silent logger,
 * a clock that moves only when told, the room settings the tests start from, a RoomManager built on all of these,
 * and small helpers for thrown error codes and pending promises.
 */
import { pino, type Logger } from 'pino';
import { AppError } from '../../src/errors/index.js';
import { GameModes } from '../../src/games/index.js';
import { SimError } from '../../src/sim/index.js';
import type { JsonSnapshot, ServerMessage } from '../../src/protocol/index.js';
import {
  RoomManager,
  type FinishedGame,
  type GameRecorder,
  type ManagerLimits,
  type Room,
  type RoomConnection,
  type RoomDeps,
  type RoomMetrics,
  type RoomSettings,
  type StartedGame,
} from '../../src/rooms/index.js';

type MessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
type JsonSnapshotMessage = Extract<ServerMessage, { type: 'game_snapshot'; snapshot: JsonSnapshot }>;

/** A JSON client: records what it is sent, in order, frames parsed back into messages. */
export class FakeConnection implements RoomConnection {
  readonly encoding = 'json' as const;
  /** Set to make the room skip this connection's snapshots. */
  congested = false;
  readonly messages: ServerMessage[] = [];
  /** The rooms that told this connection it left them. */
  readonly leftRooms: string[] = [];
  /** The rooms that told this connection they moved to another node. */
  readonly movedRooms: string[] = [];

  send(message: ServerMessage): number {
    const text = JSON.stringify(message);
    this.messages.push(JSON.parse(text) as ServerMessage);
    return text.length;
  }

  sendFrame(frame: string | Uint8Array): number {
    const text = typeof frame === 'string' ? frame : new TextDecoder().decode(frame);
    this.messages.push(JSON.parse(text) as ServerMessage);
    return text.length;
  }

  leftRoom(roomId: string): void {
    this.leftRooms.push(roomId);
  }

  roomMoved(roomId: string): void {
    this.movedRooms.push(roomId);
  }

  /** The types of the messages received, in order. */
  get types(): string[] {
    return this.messages.map((message) => message.type);
  }

  /** The messages received of one type. */
  of<T extends ServerMessage['type']>(type: T): MessageOf<T>[] {
    return this.messages.filter((message): message is MessageOf<T> => message.type === type);
  }

  /** The game snapshots received, in order. */
  snapshots(): JsonSnapshot[] {
    return this.messages
      .filter((message): message is JsonSnapshotMessage => message.type === 'game_snapshot' && 'snapshot' in message)
      .map((message) => message.snapshot);
  }

  /** The latest game snapshot; throws when none has arrived. */
  lastSnapshot(): JsonSnapshot {
    const all = this.snapshots();
    const last = all[all.length - 1];
    if (!last) throw new Error('no snapshot received yet');
    return last;
  }

  /** Forgets the messages received so far. */
  clear(): void {
    this.messages.length = 0;
  }
}

/** Keeps the games it is told about; ids are `game-1`, `game-2`, … in start order. */
export class FakeRecorder implements GameRecorder {
  readonly started: StartedGame[] = [];
  readonly finished: { gameId: string; results: FinishedGame }[] = [];
  readonly aborted: string[] = [];
  readonly adopted: { gameId: string; match: StartedGame; startedAt: number }[] = [];
  /** Set to make finish() and abort() reject (after noting the call), as a journal that cannot be written would. */
  failWrites = false;

  start(match: StartedGame): string {
    this.started.push(match);
    return `game-${this.started.length}`;
  }

  async finish(gameId: string, results: FinishedGame): Promise<void> {
    this.finished.push({ gameId, results });
    if (this.failWrites) throw new Error('the journal cannot be written');
  }

  async abort(gameId: string): Promise<void> {
    this.aborted.push(gameId);
    if (this.failWrites) throw new Error('the journal cannot be written');
  }

  adopt(gameId: string, match: StartedGame, startedAt: number): void {
    this.adopted.push({ gameId, match, startedAt });
  }
}

/** Counts what the rooms report: the size of each snapshot sent, snapshots skipped and inputs refused. */
export class FakeMetrics implements RoomMetrics {
  sent: number[] = [];
  skipped = 0;
  refused = 0;
  snapshotSent(bytes: number): void {
    this.sent.push(bytes);
  }
  snapshotSkipped(): void {
    this.skipped++;
  }
  inputRefused(): void {
    this.refused++;
  }
}

/** A logger that writes nothing; a new one each call, so spies on it stay with one test. */
export const silentLogger = (): Logger => pino({ level: 'silent' });

/** Where a fake clock starts, in epoch milliseconds. */
export const START_TIME = 1_700_000_000_000;

/** A clock that only moves when a test moves it; `now` and `advance` may be passed around unbound. */
export class FakeClock {
  time = START_TIME;
  readonly now = (): number => this.time;
  readonly advance = (ms: number): void => {
    this.time += ms;
  };
}

/** Room settings the tests start from: 20 ticks and snapshots a second, 10-point ten-minute matches. */
export const ROOM_SETTINGS: RoomSettings = {
  game: { tickRate: 20, maxEntities: 16, scoreLimit: 10, timeLimitSeconds: 600, friendlyFire: false },
  snapshotRate: 20,
  restartDelaySeconds: 1,
  reconnectGraceSeconds: 5,
  reservationSeconds: 10,
};

/** What RoomManager.create takes. */
export type NewRoomOptions = Parameters<RoomManager['create']>[0];

/** A real RoomManager on fakes, and handles on the fakes. */
export interface FakeRooms {
  manager: RoomManager;
  deps: RoomDeps;
  recorder: FakeRecorder;
  metrics: FakeMetrics;
  logger: Logger;
  settings: RoomSettings;
  now: () => number;
  advance: (ms: number) => void;
  /** Creates a four-seat deathmatch room hosted by `host`, with `overrides` on top. */
  create: (overrides?: Partial<NewRoomOptions>) => Room;
}

export interface FakeRoomsOptions {
  /** ROOM_SETTINGS unless given. */
  settings?: RoomSettings;
  /** 16 players a room and a minute before an empty room goes, unless given. */
  limits?: ManagerLimits;
  modes?: GameModes;
  /** Seeds every match; always 42 unless given. */
  seed?: () => number;
}

/** A RoomManager with a fresh fake recorder, metrics, silent logger and a fake clock of its own. */
export function fakeRooms(options: FakeRoomsOptions = {}): FakeRooms {
  const clock = new FakeClock();
  const recorder = new FakeRecorder();
  const metrics = new FakeMetrics();
  const logger = silentLogger();
  const deps: RoomDeps = { recorder, metrics, logger, now: clock.now, seed: options.seed ?? (() => 42) };
  const settings = options.settings ?? ROOM_SETTINGS;
  const limits = options.limits ?? { maxPlayersPerRoom: 16, emptyRoomTimeoutMs: 60_000 };
  const manager = new RoomManager(options.modes ?? new GameModes(), settings, limits, deps);
  const create = (overrides: Partial<NewRoomOptions> = {}): Room =>
    manager.create({ name: 'room', gameMode: 'deathmatch', maxPlayers: 4, hostId: 'host', ...overrides });
  return { manager, deps, recorder, metrics, logger, settings, now: clock.now, advance: clock.advance, create };
}

/** The error code a call throws with (an AppError's or a SimError's), or undefined when it does not throw. */
export function thrownCode(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    if (error instanceof AppError || error instanceof SimError) return error.code;
    throw error;
  }
  return undefined;
}

/**
 * Lets what is in flight run out: recorder promises, promise chains started without awaiting, messages relayed
 * between processes (each hop one macrotask). Waits `turns` macrotasks.
 */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
