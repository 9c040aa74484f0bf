/**
 * The WebSocket protocol (docs/protocol.md has the prose). Client messages are validated against these
 * schemas before anything acts on them; server messages are plain typed objects.
 */
import { Type, type Static } from 'typebox';
import type { LeagueUpdate, MatchResultEntry, RoomInfo, RoomPlayer, TeamResultEntry } from '../api/index.js';

// The shapes shared with the HTTP API, and the sim's decoded snapshot state: part of the wire protocol too.
export type { LeagueUpdate, MatchResultEntry, RoomDetails, RoomInfo, RoomPlayer, TeamResultEntry } from '../api/index.js';
export type { EntityState, SnapshotState, Vec3 } from '../sim/types.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const Finite = Type.Number({ minimum: -1e6, maximum: 1e6 });
const Vector = Type.Object({ x: Finite, y: Finite, z: Finite });

export const ClientMessageSchemas = {
  auth: Type.Object({
    type: Type.Literal('auth'),
    /** An access token from /auth/login, /auth/register or /auth/guest. */
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    /** The seed's guest form: no token, just a name (player_id is kept only as a label). */
    player_id: Type.Optional(Type.String({ maxLength: 64 })),
    player_name: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  }),
  join_room: Type.Object({
    type: Type.Literal('join_room'),
    room_id: Id,
    player_id: Type.Optional(Type.String({ maxLength: 64 })),
  }),
  leave_room: Type.Object({ type: Type.Literal('leave_room'), room_id: Id }),
  game_input: Type.Object({
    type: Type.Literal('game_input'),
    room_id: Id,
    sequence: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    input: Type.Object({
      movement: Vector,
      actions: Type.Optional(Type.Array(Type.String({ maxLength: 16 }), { maxItems: 8 })),
      aim: Type.Optional(Vector),
    }),
    /** Tick of the newest snapshot the client has decoded: the baseline for its next delta. */
    ack: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  snapshot_ack: Type.Object({ type: Type.Literal('snapshot_ack'), room_id: Id, tick: Type.Integer({ minimum: 0 }) }),
  chat: Type.Object({
    type: Type.Literal('chat'),
    room_id: Type.Optional(Id),
    message: Type.String({ minLength: 1, maxLength: 500 }),
    message_type: Type.Optional(Type.Union([Type.Literal('room'), Type.Literal('global')])),
  }),
  webrtc_offer: Type.Object({
    type: Type.Literal('webrtc_offer'),
    room_id: Id,
    peer_id: Id,
    sdp: Type.String({ maxLength: 16_384 }),
  }),
  webrtc_answer: Type.Object({
    type: Type.Literal('webrtc_answer'),
    room_id: Id,
    peer_id: Id,
    sdp: Type.String({ maxLength: 16_384 }),
  }),
  webrtc_ice: Type.Object({
    type: Type.Literal('webrtc_ice'),
    room_id: Id,
    peer_id: Id,
    candidate: Type.Unknown(),
  }),
  ping: Type.Object({ type: Type.Literal('ping'), t: Type.Optional(Type.Number()) }),
};

export type ClientMessageType = keyof typeof ClientMessageSchemas;
export type ClientMessage = { [K in ClientMessageType]: Static<(typeof ClientMessageSchemas)[K]> }[ClientMessageType];
export type ClientMessageOf<K extends ClientMessageType> = Static<(typeof ClientMessageSchemas)[K]>;

export interface JsonPlayerState {
  entity_id: number;
  id: string;
  name: string;
  position: { x: number; y: number; z: number };
  velocity: { x: number; y: number; z: number };
  yaw: number;
  health: number;
  score: number;
  deaths: number;
  alive: boolean;
  last_input_sequence: number;
}

export interface JsonSnapshot {
  tick: number;
  phase: 'playing' | 'finished';
  time_left: number;
  players: JsonPlayerState[];
}

export type ErrorCode =
  | 'bad_message'
  | 'unknown_type'
  | 'not_authenticated'
  | 'already_authenticated'
  | 'auth_failed'
  | 'room_not_found'
  | 'room_full'
  | 'not_in_room'
  | 'already_in_room'
  | 'peer_not_found'
  | 'rate_limited'
  /** An operator sent the player away (the connection closes with 4003). */
  | 'kicked'
  /** An operator banned the player (the connection closes with 4003; logging in is refused until the ban ends). */
  | 'banned'
  | 'server_error';

/** Why an operator sent a player away: the error code the player gets before the connection closes with 4003. */
export type Expulsion = Extract<ErrorCode, 'kicked' | 'banned'>;

export type ServerMessage =
  | { type: 'auth_ok'; player_id: string; display_name: string; is_guest: boolean; token?: string }
  | {
      type: 'room_joined';
      room_id: string;
      player_id: string;
      entity_id: number;
      room: RoomInfo;
      players: RoomPlayer[];
      tick_rate: number;
      snapshot_rate: number;
      resumed: boolean;
    }
  | { type: 'room_left'; room_id: string }
  | { type: 'player_joined'; room_id: string; player: RoomPlayer }
  | { type: 'player_left'; room_id: string; player: RoomPlayer; reason: 'left' | 'disconnected' | 'timeout' }
  | { type: 'player_disconnected'; room_id: string; player: RoomPlayer }
  | { type: 'player_reconnected'; room_id: string; player: RoomPlayer }
  /** JSON connections: the full state, as in the seed's `message.snapshot`. */
  | { type: 'game_snapshot'; room_id: string; tick: number; ack: number; snapshot: JsonSnapshot }
  /** Binary connections: a delta against the acknowledged `base` tick (null: full snapshot). */
  | { type: 'game_snapshot'; room_id: string; tick: number; ack: number; base: number | null; delta: Uint8Array }
  /** `teams` in team game modes only. */
  | { type: 'match_ended'; room_id: string; reason: 'score_limit' | 'time_limit'; results: MatchResultEntry[]; teams?: TeamResultEntry[] }
  | { type: 'match_started'; room_id: string }
  /** The room is played on another node: connect to `url` (its /ws), authenticate and send join_room there. */
  | { type: 'room_elsewhere'; room_id: string; url: string }
  /** Matchmaking formed a match: join `room_id` (a seat is reserved). */
  | { type: 'match_found'; room_id: string; node: string; game_mode: string; region: string; players: string[] }
  /** A matched player did not show up: the match is off; `requeued` says whether you are back in the queue (with priority). */
  | { type: 'match_cancelled'; room_id: string; reason: 'player_missing'; requeued: boolean }
  /** Your league standing moved: placed after the placement games, or promoted / relegated by a game or a season's end. */
  | ({ type: 'league_update' } & LeagueUpdate)
  /** Your tournament match has a room with a seat held for you: join `room_id` before `join_deadline` or forfeit it. */
  | {
      type: 'tournament_match_ready';
      tournament_id: string;
      match_id: string;
      room_id: string;
      opponent_id: string;
      best_of: number;
      join_deadline: string;
    }
  | {
      type: 'chat';
      room_id?: string;
      message_type: 'room' | 'global';
      from: { id: string; name: string };
      message: string;
      sent_at: string;
    }
  | { type: 'webrtc_offer' | 'webrtc_answer'; room_id: string; from: string; sdp: string }
  | { type: 'webrtc_ice'; room_id: string; from: string; candidate: unknown }
  | { type: 'error'; code: ErrorCode; message: string; ref?: string }
  | { type: 'pong'; t?: number };
