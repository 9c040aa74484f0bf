export { Room, type RoomDeps } from './room.js';
export { RoomManager, type ManagerLimits } from './manager.js';
export {
  LocalRoomRegistry,
  type HostedRoom,
  type MovedConnection,
  type NewRoom,
  type ReservedRoom,
  type RoomListFilter,
  type RoomLocation,
  type RoomRegistry,
  type SocketHandle,
} from './registry.js';
export { TickLoop } from './tick-loop.js';
export {
  GAME_RECORD,
  SqlGameRecorder,
  gameRecordWriters,
  replayOf,
  type AfterCommit,
  type RateGame,
  type RecordOutbox,
  type RecordedReplay,
  type TournamentGamePayload,
} from './recorder.js';
export {
  RoomError,
  type FinishedGame,
  type GameRecorder,
  type PlayerIdentity,
  type PortableRoomOptions,
  type RoomCheckpoint,
  type RoomConnection,
  type RoomMetrics,
  type RoomState,
  type RoomOptions,
  type RoomSettings,
  type StartedGame,
  type TournamentMatchRef,
} from './types.js';
