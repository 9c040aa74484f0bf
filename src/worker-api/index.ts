/**
 * The gRPC Worker API (proto/worker.proto): the control plane of one process's rooms, for a gateway or an
 * orchestrator. Game frames stay on the WebSocket; gRPC is far slower per message (see README).
 */
export { WorkerApiServer } from './server.js';
export { WorkerClient, WorkerClients, type WorkerClientOptions } from './client.js';
export { WorkerCallError } from './errors.js';
export type {
  CreateRoomRequest,
  GetRoomSnapshotRequest,
  ListRoomsRequest,
  PushInputRequest,
  SeatRequest,
  ServingStatus,
  WorkerApi,
  WorkerResponses,
} from './types.js';
