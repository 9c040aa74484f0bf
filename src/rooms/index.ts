export { Room, type RoomDeps } from './room.js';
export { RoomManager, GAME_MODES, type ManagerLimits } from './manager.js';
export { LocalRoomDirectory, type RoomDirectory, type RoomDetails, type RoomListFilter, type NewRoom } from './directory.js';
export { TickLoop } from './tick-loop.js';
export { SqlGameRecorder, type RateGame } from './recorder.js';
export {
  RoomError,
  type GameRecorder,
  type PlayerIdentity,
  type RoomConnection,
  type RoomMetrics,
  type RoomOptions,
  type RoomSettings,
} from './types.js';
