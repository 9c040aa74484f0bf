export { WorkerLink, type IpcChannel } from './link.js';
export { ClusteredRoomRegistry } from './rooms.js';
export { ClusterMetrics } from './metrics.js';
export { runPrimary, type PrimaryOptions } from './primary.js';
