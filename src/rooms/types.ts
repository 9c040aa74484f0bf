import type { Encoding, ErrorCode, MatchResultEntry, ServerMessage } from '../protocol/index.js';

/** The part of a client connection a room needs; the gateway's WebSocket connection implements it. */
export interface RoomConnection {
  readonly encoding: Encoding;
  /** Encodes and sends one message; returns the bytes written. */
  send(message: ServerMessage): number;
  /** Sends an already encoded frame (shared by several clients); returns the bytes written. */
  sendFrame(frame: string | Uint8Array): number;
  /** True while the client has not read what was already sent: it gets no snapshots until it catches up. */
  readonly congested: boolean;
}

export interface PlayerIdentity {
  id: string;
  name: string;
}

export interface RoomSettings {
  tickRate: number;
  snapshotRate: number;
  maxEntities: number;
  scoreLimit: number;
  timeLimitSeconds: number;
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
}

/** Where finished matches go (the games table); failures are logged by the caller, never thrown into a tick. */
export interface GameRecorder {
  /** Records a started match; resolves with its game id. */
  start(match: { roomId: string; gameMode: string; region: string }): Promise<string>;
  finish(gameId: string, results: { reason: string; players: MatchResultEntry[]; ticks: number }): Promise<void>;
  abort(gameId: string): Promise<void>;
}

/** Counters a room reports into; the node wires them to Prometheus. */
export interface RoomMetrics {
  snapshotSent(bytes: number): void;
  snapshotSkipped(): void;
}

/** A room refused something; the code is the protocol's error code. */
export class RoomError extends Error {
  override name = 'RoomError';
  constructor(
    readonly code: Extract<ErrorCode, 'room_not_found' | 'room_full' | 'not_in_room' | 'already_in_room' | 'peer_not_found'> | 'unsupported_game_mode' | 'invalid_room',
    message: string,
  ) {
    super(message);
  }
}
