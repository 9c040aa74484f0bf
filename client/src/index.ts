export { GameV1Client, type GameV1ClientOptions, type InputCommand } from './client.js';
export { GameV1Error } from './errors.js';
export { TypedEmitter, type Listener } from './emitter.js';
export { SnapshotInterpolator, lerpAngle, type InterpolatorOptions } from './interpolation.js';
export { backoffDelay, type ReconnectOptions } from './backoff.js';
export type { AuthResponse, CreateRoomRequest, FetchLike, ListRoomsFilter, MatchmakingStatus, Player, QueueRequest, TokenPair } from './session.js';
export type { LeaderboardQuery } from './leaderboards.js';
export type { TournamentEventsQuery, TournamentFilter } from './tournaments.js';
export type { Logger } from './logger.js';
export type { WebSocketConstructor, WebSocketLike, MessageEventLike, CloseEventLike } from './transport.js';
export type {
  AuthOk,
  ClientEvents,
  DisconnectedEvent,
  GameSnapshotMessage,
  PongEvent,
  ReconnectFailedEvent,
  ReconnectedEvent,
  ReconnectingEvent,
  RoomJoined,
  RoomLeft,
  ServerError,
  ServerMessageOf,
  SnapshotEvent,
  WebRtcSdpMessage,
} from './events.js';
export type {
  LeaderboardDefinition,
  LeaderboardPage,
  LeaderboardPeriods,
  LeagueHistory,
  LeagueInfo,
  LeagueRung,
  LeagueStanding,
  LeagueUpdate,
  DivisionRow,
  DivisionStandings,
  LeaderboardRecord,
  MatchReport,
  PlayerRole,
  ReopenResult,
  Role,
  RoomInfo,
  RoomPlayer,
  ScoreSubmission,
  TournamentDetails,
  TournamentEvent,
  TournamentSettings,
  TournamentStatus,
  TournamentSummary,
} from '../../src/api/index.js';
export type { JsonPlayerState, JsonSnapshot, ServerMessage, ClientMessage, SnapshotState, EntityState, Vec3 } from '../../src/protocol/messages.js';
export { BINARY_SUBPROTOCOL, JSON_SUBPROTOCOL, type Encoding } from '../../src/protocol/codec.js';
