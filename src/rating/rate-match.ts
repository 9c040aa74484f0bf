import { eloScoreSurpluses, kFactor, type EloSettings } from './elo.js';
import { displayRating, rateTeams, skillFromRating, type Skill } from './openskill.js';
import { ratingKindFor, validateEloSettings, type RatingPolicy } from './policy.js';
import type { MatchOutcome, RatedPlayer, RatingChange } from './types.js';
import { validateOutcome } from './validate.js';

type Placement = MatchOutcome['placements'][number];

function average(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Elo over placements. A team plays as its members' average rating; each member then gets the team's score
 * surplus times their own K, so a provisional player on a team still moves faster. With equal K everywhere
 * this is exactly "the team's delta applied to each member", and the match is zero-sum when teams are the
 * same size. One-player placements make this plain 1v1 / FFA Elo.
 */
function rateElo(placements: readonly Placement[], settings: EloSettings): RatingChange[] {
  const entries = placements.map((p) => ({ rank: p.rank, rating: average(p.players.map((player) => player.rating)) }));
  const surpluses = eloScoreSurpluses(entries);
  return placements.flatMap((placement, i) =>
    placement.players.map((player) => {
      const delta = kFactor(player.gamesPlayed, settings) * surpluses[i]!;
      return { playerId: player.playerId, before: player.rating, after: player.rating + delta, delta };
    }),
  );
}

function priorSkill(player: RatedPlayer): Skill {
  return player.mu !== undefined && player.sigma !== undefined ? { mu: player.mu, sigma: player.sigma } : skillFromRating(player.rating);
}

/**
 * openskill over placements. `before` is the display rating of the prior openskill state (equal to `rating`
 * when the player had none), so `delta` is this match's effect only even if the stored rating has drifted.
 */
function rateOpenSkill(placements: readonly Placement[]): RatingChange[] {
  const priors = placements.map((p) => p.players.map(priorSkill));
  const posteriors = rateTeams(priors, placements.map((p) => p.rank));
  return placements.flatMap((placement, i) =>
    placement.players.map((player, j) => {
      const prior = priors[i]![j]!;
      const { mu, sigma } = posteriors[i]![j]!;
      const before = player.mu === undefined ? player.rating : displayRating(prior);
      const after = displayRating({ mu, sigma });
      return { playerId: player.playerId, before, after, delta: after - before, mu, sigma };
    }),
  );
}

/**
 * Rates one finished match with the system its game mode uses. Pure and deterministic. Returns one change
 * per player in input order (placements, then players). Throws RatingError for an invalid outcome or policy.
 */
export function rateMatch(outcome: MatchOutcome, policy: RatingPolicy): RatingChange[] {
  validateOutcome(outcome);
  const kind = ratingKindFor(outcome.gameMode, policy);
  if (kind === 'openskill') return rateOpenSkill(outcome.placements);
  validateEloSettings(policy.elo);
  return rateElo(outcome.placements, policy.elo);
}
