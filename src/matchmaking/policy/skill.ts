import type { PolicySettings, Ticket } from './types.js';

/**
 * The rating a ticket is matched on: the mean of its players. The mean keeps a mixed party near the middle of
 * its skills; `FormedMatch.skillSpread` still reports the spread over individual players.
 */
export function ticketRating(ticket: Ticket): number {
  const { players } = ticket;
  let sum = 0;
  for (let i = 0; i < players.length; i++) sum += players[i]!.rating;
  return players.length === 0 ? Number.NaN : sum / players.length;
}

/** Seconds waited at `now`; never negative, so a clock that runs behind an enqueue time cannot shrink the window. */
export function waitedSeconds(ticket: Ticket, now: number): number {
  return Math.max(0, (now - ticket.enqueuedAt) / 1000);
}

/**
 * Half-width of the ratings a ticket accepts: starts at `initialSkillWindow`, widens by `windowGrowthPerSecond`
 * per second waited, capped at `maxSkillDiff` (the cap wins even over a larger initial window).
 */
export function skillWindow(ticket: Ticket, now: number, settings: PolicySettings): number {
  const grown = settings.initialSkillWindow + settings.windowGrowthPerSecond * waitedSeconds(ticket, now);
  return Math.min(grown, settings.maxSkillDiff);
}

/** True once the ticket has waited strictly longer than its `maxWaitSeconds`. */
export function hasTimedOut(ticket: Ticket, now: number): boolean {
  return now - ticket.enqueuedAt > ticket.maxWaitSeconds * 1000;
}
