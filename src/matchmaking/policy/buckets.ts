import type { Ticket } from './types.js';

/** One queue bucket (game mode and region) as operators and metrics see it. */
export interface QueueBucket {
  gameMode: string;
  region: string;
  /** Players waiting (a party counts each of its players). */
  size: number;
  /** How long the ticket queued first has waited, in ms (0 for an empty bucket). */
  oldestWaitMs: number;
}

/** The waiting tickets summed per bucket, sorted by game mode then region. */
export function queueBuckets(tickets: readonly Ticket[], now: number): QueueBucket[] {
  const buckets = new Map<string, QueueBucket>();
  for (const ticket of tickets) {
    const key = `${ticket.gameMode}\u0000${ticket.region}`;
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = { gameMode: ticket.gameMode, region: ticket.region, size: 0, oldestWaitMs: 0 }));
    bucket.size += ticket.players.length;
    bucket.oldestWaitMs = Math.max(bucket.oldestWaitMs, Math.max(0, now - ticket.enqueuedAt));
  }
  return [...buckets.values()].sort((a, b) => a.gameMode.localeCompare(b.gameMode) || a.region.localeCompare(b.region));
}
