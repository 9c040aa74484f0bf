import type { JsonSnapshot, ServerMessage, SnapshotState } from '../../src/protocol/messages.js';
import type { GameV1Error } from './errors.js';
import type { TokenPair } from './session.js';

/** The server message of one `type`. */
export type ServerMessageOf<K extends ServerMessage['type']> = Extract<ServerMessage, { type: K }>;

export type AuthOk = ServerMessageOf<'auth_ok'>;
export type RoomJoined = ServerMessageOf<'room_joined'>;
export type RoomLeft = ServerMessageOf<'room_left'>;
export type WebRtcSdpMessage = ServerMessageOf<'webrtc_offer' | 'webrtc_answer'>;
export type ServerError = ServerMessageOf<'error'>;
export type GameSnapshotMessage = ServerMessageOf<'game_snapshot'>;

export interface SnapshotEvent {
  room_id: string;
  tick: number;
  /** The newest input sequence the server has applied for this client. */
  ack: number;
  /** Same shape on both encodings: what JSON connections receive as `message.snapshot`. */
  snapshot: JsonSnapshot;
  /** The decoded integer state (binary connections only). */
  raw: SnapshotState | undefined;
}

export type PongEvent = ServerMessageOf<'pong'> & {
  /** Round trip in ms, when the pong answers a `ping()` of this client. */
  rtt_ms?: number;
};

export interface DisconnectedEvent {
  code: number;
  reason: string;
  willReconnect: boolean;
}

export interface ReconnectingEvent {
  /** 1 for the first attempt. */
  attempt: number;
  /** Wait before this attempt. */
  delayMs: number;
}

export interface ReconnectedEvent {
  auth: AuthOk;
  /** The room rejoined (`resumed` says whether the seat was kept); undefined when there was none. */
  room: RoomJoined | undefined;
  /** Why the previous room could not be rejoined (e.g. `room_not_found`); the connection itself is fine. */
  roomError?: GameV1Error;
}

export interface ReconnectFailedEvent {
  attempts: number;
  error: unknown;
}

export interface ClientEvents {
  auth_ok: AuthOk;
  room_joined: RoomJoined;
  room_left: RoomLeft;
  player_joined: ServerMessageOf<'player_joined'>;
  player_left: ServerMessageOf<'player_left'>;
  player_disconnected: ServerMessageOf<'player_disconnected'>;
  player_reconnected: ServerMessageOf<'player_reconnected'>;
  snapshot: SnapshotEvent;
  match_started: ServerMessageOf<'match_started'>;
  /** Matchmaking placed this player in a room: call joinRoom(room_id). */
  match_found: ServerMessageOf<'match_found'>;
  /** The match was called off because a player did not show up; `requeued` says whether you wait again. */
  match_cancelled: ServerMessageOf<'match_cancelled'>;
  match_ended: ServerMessageOf<'match_ended'>;
  /** This player's league standing moved (placed, promoted, relegated); /api/leagues/me has the whole standing. */
  league_update: ServerMessageOf<'league_update'>;
  /** A tournament match of this player has a room reserved for both players: joinRoom(room_id) before join_deadline. */
  tournament_match_ready: ServerMessageOf<'tournament_match_ready'>;
  chat: ServerMessageOf<'chat'>;
  webrtc_offer: WebRtcSdpMessage;
  webrtc_answer: WebRtcSdpMessage;
  webrtc_ice: ServerMessageOf<'webrtc_ice'>;
  pong: PongEvent;
  /** A server `error` message (also delivered when it rejects a pending `joinRoom`). */
  error: ServerError;
  disconnected: DisconnectedEvent;
  reconnecting: ReconnectingEvent;
  reconnected: ReconnectedEvent;
  /** Reconnection gave up: attempts exhausted or the credentials were refused. */
  reconnect_failed: ReconnectFailedEvent;
  /** The server issued a new token pair (login, register, guest, refresh, resume): store it to resume later. */
  tokens: TokenPair;
}
