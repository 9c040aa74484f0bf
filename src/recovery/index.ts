/**
 * Rooms that survive their node: each room's state and replay record checkpointed to Redis under its lease, and
 * rooms whose node died taken over, rebuilt (the game is deterministic) and served by another node.
 */
import { RedisCache, type Cache } from '../cache/index.js';
import { RedisDirectory, type Directory } from '../directory/index.js';
import { RedisCheckpointStore } from './redis.js';
import type { CheckpointStore } from './types.js';

export { RoomCheckpointer, type CheckpointMetrics, type LeasedRooms } from './checkpointer.js';
export { RoomRescuer, type RescueFailure, type RescueHost, type RescueMetrics, type RescueSettings } from './rescuer.js';
export { MemoryCheckpointStore } from './memory.js';
export { RedisCheckpointStore } from './redis.js';
export type { CheckpointStore, CheckpointWrite, StoredCheckpoint, WriteOutcome } from './types.js';

/** Checkpoints next to the leases in Redis; none when rooms cannot outlive this process (no shared directory). */
export function openCheckpointStore(cache: Cache, directory: Directory): CheckpointStore | undefined {
  return cache instanceof RedisCache && directory instanceof RedisDirectory ? new RedisCheckpointStore(cache.client, (roomId) => directory.leaseKey(roomId)) : undefined;
}
