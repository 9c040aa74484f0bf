/**
 * The JSON shapes of the public API, each declared once as a TypeBox schema with its type. The HTTP routes
 * validate and serialize with the schemas (so /docs/json shows them), the WebSocket messages and the SDK
 * use the types. The SDK bundle includes this directory, so it must stay browser-safe: typebox only.
 */
export { AuthResult, Player, PlayerRole, Role } from './players.js';
export { MatchResultEntry, RoomDetails, RoomInfo, RoomList, RoomPlayer, TeamResultEntry } from './rooms.js';
export { MatchmakingStatus } from './matchmaking.js';
export {
  ReopenResult,
  StageSettings,
  EntityId,
  MatchReport,
  ReopenRequest,
  StartTournamentRequest,
  TournamentDetails,
  TournamentEvent,
  TournamentEvents,
  TournamentList,
  TournamentMatch,
  TournamentSettings,
  TournamentStatus,
  TournamentSummary,
  WithdrawRequest,
} from './tournaments.js';
export { LeaderboardDefinition, LeaderboardId, LeaderboardList, LeaderboardPage, LeaderboardPeriod, LeaderboardPeriods, LeaderboardRecord, ScoreSubmission } from './leaderboards.js';
export { DivisionRow, DivisionStandings, LeagueHistory, LeagueInfo, LeagueRung, LeagueStanding, type LeagueUpdate } from './leagues.js';
export { AutoscaleRecommendation, FleetAutoscaleResponse, FleetAutoscaleReview, ScalingReason } from './autoscaling.js';
export { ClusterNode, ClusterNodes } from './cluster.js';
export { GameModeInfo, GameModeList } from './game-modes.js';
export { AdminPlayer, AdminPlayerList, AdminPlayerQuery, AdminQueue, AdminQueueList, AdminReasonRequest, AdminRoom, AdminRoomList, AdminStats, AuditEntry, AuditPage, AuditQuery, Ban, BanRequest, BanResult, EndRoomResult, KickResult } from './admin.js';
