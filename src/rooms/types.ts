import { AppError, type ErrorCategory } from '../errors/index.js';
import type { GameSettings } from '../games/index.js';
import type { Encoding, ErrorCode, MatchResultEntry, ServerMessage, TeamResultEntry } from '../protocol/index.js';

/** The part of a client connection a room needs; the gateway's WebSocket connection implements it. */
export interface RoomConnection {
  readonly encoding: Encoding;
  /** Encodes and sends one message; returns the bytes written. */
  send(message: ServerMessage): number;
  /** Sends an already encoded frame (shared by several clients); returns the bytes written. */
  sendFrame(frame: string | Uint8Array): number;
  /** True while the client has not read what was already sent: it gets no snapshots until it catches up. */
  readonly congested: boolean;
  /** The room no longer seats this connection's player (left, timed out, match called off). */
  leftRoom(roomId: string): void;
  /** The room is served by another node now: the client must reconnect to find it there (its seat waits). */
  roomMoved(roomId: string): void;
}

export interface PlayerIdentity {
  id: string;
  name: string;
}

export interface RoomSettings {
  /** What every room's game is made with (before its mode's own defaults). */
  game: GameSettings;
  snapshotRate: number;
  restartDelaySeconds: number;
  reconnectGraceSeconds: number;
  /** How long an HTTP seat reservation waits for the WebSocket join. */
  reservationSeconds: number;
}

export interface RoomOptions {
  name: string;
  gameMode: string;
  maxPlayers: number;
  hostId: string;
  region: string;
  /** Overrides RoomSettings.reservationSeconds (matchmade rooms give players less time to show up). */
  reservationSeconds?: number;
  /** Called when a reserved player did not join in time (matchmaking cancels the match then). */
  onReservationLapsed?: (room: string, playerId: string) => void;
  /** The game does not start until every reserved player is seated (a tournament match waits for both sides). */
  holdUntilSeated?: boolean;
  /** The tournament match this room plays: each finished game is reported to it. */
  tournamentMatch?: TournamentMatchRef;
}

export interface TournamentMatchRef {
  tournamentId: string;
  matchId: string;
}

/** RoomOptions that travel with a room to another node (callbacks stay behind). */
export type PortableRoomOptions = Omit<RoomOptions, 'onReservationLapsed'>;

/**
 * A room as another node needs it to carry it on (JSON): with its game's seed, settings and replay record, the
 * deterministic game is rebuilt exactly; members come back as seats held for a reconnect.
 */
export interface RoomState {
  options: PortableRoomOptions;
  createdAt: number;
  seed: number;
  settings: GameSettings;
  /** `entity` as the replay record names it. */
  members: { id: string; name: string; entity: number; team: number }[];
  reservations: { playerId: string; lapsesAt: number }[];
  /** The recorded game the match belongs to, while one is being played. */
  game?: { id: string; startedAt: number };
  /** Between two matches: the restored room starts the next one at once. */
  finished: boolean;
}

export interface RoomCheckpoint {
  state: RoomState;
  /** The current match's replay record (src/games). */
  record: Uint8Array;
}

export interface StartedGame {
  roomId: string;
  gameMode: string;
  region: string;
  /** The seed the room chose; with `settings` and the replay record it replays the match. */
  seed: number;
  settings: GameSettings;
  tournamentMatch?: TournamentMatchRef;
}

export interface FinishedGame {
  reason: string;
  players: MatchResultEntry[];
  /** Team modes: each team's result, best first. */
  teams?: TeamResultEntry[];
  ticks: number;
  /** The match's replay record (src/games); absent when it outgrew its bound. */
  replay: Uint8Array | undefined;
}

/**
 * Where matches are recorded (the games table). Every write is durable before it is done: a match that ends
 * while the database is down is written when it is back. Never throws into a tick.
 */
export interface GameRecorder {
  /** Records a started match and returns its game id at once (the write follows). */
  start(match: StartedGame): string;
  /** Records the match's results (rated with them); resolves once they cannot be lost. */
  finish(gameId: string, results: FinishedGame): Promise<void>;
  /** Records a match that ended without results (its room went away); resolves once that cannot be lost. */
  abort(gameId: string): Promise<void>;
  /** Takes over a match started on another node (its room was carried here), to finish or abort it here. */
  adopt(gameId: string, match: StartedGame, startedAt: number): void;
}

/** Counters a room reports into; the node wires them to Prometheus. */
export interface RoomMetrics {
  snapshotSent(bytes: number): void;
  snapshotSkipped(): void;
  /** An input the game refused (stale or repeated sequence, full queue). */
  inputRefused(): void;
}

type RoomErrorCode =
  | Extract<ErrorCode, 'room_not_found' | 'room_full' | 'not_in_room' | 'already_in_room' | 'peer_not_found'>
  | 'unsupported_game_mode'
  | 'invalid_room'
  | 'draining'
  | 'room_restoring'
  | 'no_worker';

const ROOM_ERROR_CATEGORY: Record<RoomErrorCode, ErrorCategory> = {
  room_not_found: 'not_found',
  peer_not_found: 'not_found',
  room_full: 'conflict',
  not_in_room: 'conflict',
  already_in_room: 'conflict',
  unsupported_game_mode: 'invalid',
  invalid_room: 'invalid',
  draining: 'unavailable',
  room_restoring: 'unavailable',
  no_worker: 'unavailable',
};

/** A room refused something; the code is the protocol's error code, or names a bad room request. */
export class RoomError extends AppError {
  override name = 'RoomError';
  declare readonly code: RoomErrorCode;
  constructor(code: RoomErrorCode, message: string) {
    super(ROOM_ERROR_CATEGORY[code], code, message);
  }
}
