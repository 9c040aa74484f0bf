export { WorkerLink, type IpcChannel } from './link.js';
export { ClusteredRoomDirectory } from './rooms.js';
export { ClusterMetrics } from './metrics.js';
export { runPrimary, type PrimaryOptions } from './primary.js';
export { ClusterMatchPlacement } from './matchmaking.js';
