import { RatingError } from './errors.js';
import type { MatchOutcome, RatedPlayer } from './types.js';

function fail(message: string): never {
  throw new RatingError('invalid_outcome', message);
}

function validatePlayer(player: RatedPlayer, seen: Set<string>): void {
  const id = player.playerId;
  if (typeof id !== 'string' || id.length === 0) fail('every player needs a non-empty playerId');
  if (seen.has(id)) fail(`player ${id} appears more than once in the match`);
  seen.add(id);
  if (!Number.isFinite(player.rating)) fail(`player ${id} has a non-finite rating (${player.rating})`);
  if (!Number.isInteger(player.gamesPlayed) || player.gamesPlayed < 0) {
    fail(`player ${id} has an invalid gamesPlayed (${player.gamesPlayed}); expected an integer >= 0`);
  }
  const { mu, sigma } = player;
  if ((mu === undefined) !== (sigma === undefined)) fail(`player ${id} must have both mu and sigma or neither`);
  if (mu !== undefined && !Number.isFinite(mu)) fail(`player ${id} has a non-finite mu (${mu})`);
  if (sigma !== undefined && !(Number.isFinite(sigma) && sigma > 0)) {
    fail(`player ${id} has an invalid sigma (${sigma}); expected a finite number > 0`);
  }
}

/** Throws RatingError unless the outcome can be rated: >= 2 placements, positive integer ranks, unique valid players. */
export function validateOutcome(outcome: MatchOutcome): void {
  const { placements } = outcome;
  if (!Array.isArray(placements) || placements.length < 2) {
    fail(`a rated match needs at least 2 placements, got ${Array.isArray(placements) ? placements.length : 0}`);
  }
  const seen = new Set<string>();
  placements.forEach((placement, index) => {
    if (!Number.isInteger(placement.rank) || placement.rank < 1) {
      fail(`placement ${index} has rank ${placement.rank}; ranks must be positive integers`);
    }
    if (!Array.isArray(placement.players) || placement.players.length === 0) {
      fail(`placement ${index} has no players`);
    }
    for (const player of placement.players) validatePlayer(player, seen);
  });
}
