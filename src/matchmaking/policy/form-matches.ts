import { BucketSweep } from './bucket.js';
import { hasTimedOut } from './skill.js';
import type { FormedMatch, InvalidReason, InvalidTicket, PolicyResult, PolicySettings, Ticket } from './types.js';

/**
 * One matchmaking pass over every waiting ticket. Pure and deterministic: `now` is the only clock.
 *
 * - A ticket id seen again in the same call is ignored (the first copy counts).
 * - Tickets that can never match go to `invalid`; tickets waiting longer than `maxWaitSeconds` go to
 *   `timedOut`; neither is matched.
 * - The rest are split by (gameMode, region) and matched per bucket (see BucketSweep): matches never cross
 *   buckets, parties are never split, and no player lands in two matches even if the caller passes duplicates.
 * Unmatched valid tickets are simply absent from the result: they keep waiting.
 */
export function formMatches(tickets: readonly Ticket[], now: number, settings: PolicySettings): PolicyResult {
  assertSettings(settings);
  if (!Number.isFinite(now)) throw new RangeError(`now must be a finite ms timestamp, got ${now}`);

  const timedOut: Ticket[] = [];
  const invalid: InvalidTicket[] = [];
  const buckets = new Map<string, Map<string, Ticket[]>>();
  const seenIds = new Set<string>();
  for (const ticket of tickets) {
    if (seenIds.has(ticket.id)) continue;
    seenIds.add(ticket.id);
    const reason = invalidReason(ticket, settings);
    if (reason !== undefined) invalid.push({ ticket, reason });
    else if (hasTimedOut(ticket, now)) timedOut.push(ticket);
    else bucketOf(buckets, ticket).push(ticket);
  }

  const sharedPlayers = playersOnSeveralTickets(buckets);
  const matches: FormedMatch[] = [];
  const claimed = new Set<string>();
  for (const regions of buckets.values()) {
    for (const bucket of regions.values()) {
      new BucketSweep(bucket, now, settings, sharedPlayers, claimed).run(matches);
    }
  }
  return { matches, timedOut, invalid };
}

/**
 * Player ids on more than one matchable ticket. The caller should never send any, so finding them once here
 * lets the sweep skip duplicate checks for every other ticket.
 */
function playersOnSeveralTickets(buckets: Map<string, Map<string, Ticket[]>>): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const regions of buckets.values()) {
    for (const bucket of regions.values()) {
      for (const ticket of bucket) {
        for (const player of ticket.players) {
          if (seen.has(player.playerId)) shared.add(player.playerId);
          else seen.add(player.playerId);
        }
      }
    }
  }
  return shared;
}

/** Why a ticket can never be matched, or undefined when it can. */
export function invalidReason(ticket: Ticket, settings: PolicySettings): InvalidReason | undefined {
  const { players } = ticket;
  if (players.length === 0) return 'empty_party';
  if (players.length > settings.maxPlayers) return 'party_too_large';
  for (const player of players) {
    if (!Number.isFinite(player.rating)) return 'invalid_rating';
  }
  if (!Number.isFinite(ticket.enqueuedAt) || !Number.isFinite(ticket.maxWaitSeconds)) return 'invalid_time';
  return undefined;
}

/** Nested maps rather than a joined key: no string building per ticket, and no separator to collide. */
function bucketOf(buckets: Map<string, Map<string, Ticket[]>>, ticket: Ticket): Ticket[] {
  let regions = buckets.get(ticket.gameMode);
  if (regions === undefined) {
    regions = new Map();
    buckets.set(ticket.gameMode, regions);
  }
  let bucket = regions.get(ticket.region);
  if (bucket === undefined) {
    bucket = [];
    regions.set(ticket.region, bucket);
  }
  return bucket;
}

/** Settings come from validated config; a bad value here is a programming error, so fail loudly. */
function assertSettings(settings: PolicySettings): void {
  const { minPlayers, maxPlayers, maxSkillDiff, initialSkillWindow, windowGrowthPerSecond } = settings;
  if (!Number.isInteger(minPlayers) || minPlayers < 1) throw new RangeError(`minPlayers must be an integer >= 1, got ${minPlayers}`);
  if (!Number.isInteger(maxPlayers) || maxPlayers < minPlayers) {
    throw new RangeError(`maxPlayers must be an integer >= minPlayers (${minPlayers}), got ${maxPlayers}`);
  }
  for (const [name, value] of [
    ['maxSkillDiff', maxSkillDiff],
    ['initialSkillWindow', initialSkillWindow],
    ['windowGrowthPerSecond', windowGrowthPerSecond],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
}
