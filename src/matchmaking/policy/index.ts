/**
 * Matchmaking queue policy: given the waiting tickets and the time, decides which matches to form and which
 * tickets to drop. Pure (no I/O, no clock), so the queue service can call it on every interval.
 */
export { formMatches, invalidReason } from './form-matches.js';
export { queueBuckets, type QueueBucket } from './buckets.js';
export { MAX_REJECTS_PER_ANCHOR } from './bucket.js';
export { hasTimedOut, skillWindow, ticketRating, waitedSeconds } from './skill.js';
export {
  DEFAULT_POLICY_SETTINGS,
  type FormedMatch,
  type InvalidReason,
  type InvalidTicket,
  type PolicyResult,
  type PolicySettings,
  type Ticket,
} from './types.js';
