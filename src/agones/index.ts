export { AGONES_CONNECT_TIMEOUT_MS, AGONES_HEALTH_INTERVAL_MS, AgonesLifecycle, type AgonesLifecycleDeps } from './lifecycle.js';
export { SidecarSdk, type AgonesSdk } from './sdk.js';
