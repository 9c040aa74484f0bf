/**
 * The directory of a deployment: which nodes are alive (and how loaded), which node serves each room, and where a
 * new room should go. In memory for a single node, in Redis when nodes share one.
 */
import { RedisCache, type Cache } from '../cache/index.js';
import { MemoryDirectory } from './memory.js';
import { RedisDirectory } from './redis.js';
import type { Directory } from './types.js';

export { DirectoryAgent, type AgentEvents, type AgentTimings, type ServedRooms } from './agent.js';
export { chooseWorker, loadScore } from './placement.js';
export { CrossNodeRoomRegistry, type CrossNodeDeps } from './rooms.js';
export { MemoryDirectory } from './memory.js';
export { RedisDirectory } from './redis.js';
export type { Directory, LiveNode, NodeLoad, NodeRecord, NodeRole, RoomLease } from './types.js';

/** Shared through Redis when the cache is Redis (under the cache's key prefix), else this process's own. */
export function openDirectory(cache: Cache): Directory {
  return cache instanceof RedisCache ? new RedisDirectory(cache.client, 'dir:') : new MemoryDirectory();
}
