export {
  MatchmakingService,
  MATCH_CHANNEL,
  type HostedMatch,
  type MatchPlacement,
  type MatchNotice,
  type MatchmakingMetrics,
  type MatchmakingSettings,
  type PlayerRef,
} from './service.js';
export { MemoryTicketQueue, AlreadyQueuedError, type QueueStatus, type TicketQueue } from './queue.js';
export { RedisTicketQueue } from './redis-queue.js';
export { DEFAULT_POLICY_SETTINGS, formMatches, type FormedMatch, type PolicySettings, type Ticket } from './policy/index.js';
