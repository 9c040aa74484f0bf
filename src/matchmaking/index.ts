import { RedisCache, type Cache } from '../cache/index.js';
import { MemoryTicketQueue, type TicketQueue } from './queue.js';
import { RedisTicketQueue } from './redis-queue.js';

export {
  MatchmakingService,
  MATCH_CHANNEL,
  type MatchNotice,
  type MatchmakingMetrics,
  type MatchmakingSettings,
  type PlayerRef,
} from './service.js';
export { MemoryTicketQueue, AlreadyQueuedError, type QueueStatus, type TicketQueue } from './queue.js';
export { RedisTicketQueue } from './redis-queue.js';
export { DEFAULT_POLICY_SETTINGS, formMatches, queueBuckets, type QueueBucket, type FormedMatch, type PolicySettings, type Ticket } from './policy/index.js';

/** The queue that fits the cache: shared in Redis by every node, or in this process's memory. */
export function openTicketQueue(cache: Cache): TicketQueue {
  return cache instanceof RedisCache ? new RedisTicketQueue(cache.client) : new MemoryTicketQueue();
}
