/**
 * Team ratings with uncertainty through openskill (Weng-Lin), Plackett-Luce model.
 *
 * Display mapping onto GameV1's Elo-like scale (players.skill_rating defaults to 1200):
 *
 *   displayRating = 1200 + ELO_POINTS_PER_MU * ordinal,   ordinal = mu - 3 * sigma
 *
 * A new player (mu 25, sigma 25/3) has ordinal 0 and shows 1200, the column default. The factor makes
 * display gaps mean what Elo gaps mean for settled players: Plackett-Luce gives a 1v1 win probability of
 * logistic(deltaMu / c) with c = sqrt(2 beta^2 + sigmaA^2 + sigmaB^2), about sqrt(2) * beta once sigmas are
 * small, while Elo gives logistic(deltaR * ln 10 / 400). Equating them:
 *   ELO_POINTS_PER_MU = 400 / (ln 10 * sqrt(2) * beta) ~= 29.5 rating points per unit of mu (beta = 25/6).
 * Because the ordinal is conservative, a player's display rating tends to rise over the first games as sigma
 * shrinks, even with an even record; that is the intended "earn your rating" behaviour.
 *
 * openskill's defaults are kept, including tau (25/300) added to sigma before each update so ratings stay
 * responsive: sigma shrinks fast for new players but settles at a floor and can tick up by a hair there.
 */
import { ordinal as openskillOrdinal, rate, rating as openskillRating } from 'openskill';
import { plackettLuce } from 'openskill/models';

export interface Skill {
  mu: number;
  sigma: number;
}

const DEFAULT_SKILL = openskillRating();

/** openskill's default mean for a new player (25). */
export const DEFAULT_MU = DEFAULT_SKILL.mu;
/** openskill's default uncertainty for a new player (25/3). */
export const DEFAULT_SIGMA = DEFAULT_SKILL.sigma;
/** openskill's default performance spread (beta = sigma / 2). */
const DEFAULT_BETA = DEFAULT_SIGMA / 2;

/** Display rating of a brand-new player; equals the players.skill_rating column default. */
export const BASE_DISPLAY_RATING = 1200;
/** Display points per unit of ordinal; see the module comment for the derivation. */
export const ELO_POINTS_PER_MU = 400 / (Math.LN10 * Math.SQRT2 * DEFAULT_BETA);

/** Conservative skill estimate: mu - 3 sigma (about 99.7% sure the true skill is higher). */
export function ordinal(skill: Skill): number {
  return openskillOrdinal(skill);
}

/** The Elo-like number GameV1 shows for an openskill rating. */
export function displayRating(skill: Skill): number {
  return BASE_DISPLAY_RATING + ELO_POINTS_PER_MU * ordinal(skill);
}

/**
 * Starting skill for a player who has a display rating but no openskill state yet (e.g. rated so far only in
 * Elo modes): default sigma, and mu chosen so the display rating is unchanged. A 1200 player gets exactly
 * openskill's defaults.
 */
export function skillFromRating(rating: number): Skill {
  return { mu: DEFAULT_MU + (rating - BASE_DISPLAY_RATING) / ELO_POINTS_PER_MU, sigma: DEFAULT_SIGMA };
}

/**
 * New skills for teams given their ranks (1 = best, equal ranks tie). The model is passed explicitly so a
 * change of the library's default cannot silently change ratings. Output mirrors the input shape.
 */
export function rateTeams(teams: readonly (readonly Skill[])[], ranks: readonly number[]): Skill[][] {
  const input = teams.map((team) => team.map(({ mu, sigma }) => ({ mu, sigma })));
  return rate(input, { rank: [...ranks], model: plackettLuce });
}
