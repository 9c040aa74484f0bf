/**
 * Competitive ladder: tiers, divisions and league points (LP). Pure domain logic, no I/O.
 *
 * The ladder is a list of rungs from lowest to highest: every division of a divisional tier
 * (IV..I, numbered 4..1) is one rung, and every apex tier is a single rung. A player's ladder
 * position is `rungIndex * pointsPerDivision + points`. Match LP, placement and the season soft
 * reset all move that one number, so promotion, demotion and ordering can never disagree.
 */

export class LeagueError extends Error {
  override name = 'LeagueError';
  constructor(
    readonly code: 'invalid_config' | 'invalid_standing' | 'invalid_season',
    message: string,
  ) {
    super(message);
  }
}

export interface TierDefinition {
  readonly name: string;
  /** Number of divisions, e.g. 4 for IV..I. 0 marks an apex tier (one LP pool, no divisions). */
  readonly divisions: number;
}

export interface MatchPointsConfig {
  /** LP won or lost by a player whose hidden rating matches their displayed position. */
  readonly base: number;
  /** Bounds on the magnitude of a win or loss delta, so the ladder neither stalls nor jumps. */
  readonly min: number;
  readonly max: number;
  /** LP added to wins (and removed from losses) per division the hidden rating is above the display. */
  readonly perDivisionGap: number;
}

export interface LadderConfig {
  /** Ordered from lowest to highest; apex tiers must come after every divisional tier. */
  readonly tiers: readonly TierDefinition[];
  readonly pointsPerDivision: number;
  readonly placementGames: number;
  /**
   * Linear rating map: rung i covers hidden ratings [ratingFloor + i * ratingPerDivision,
   * ratingFloor + (i + 1) * ratingPerDivision). Below the floor is the lowest rung; the top rung
   * is open-ended. Linear keeps "rating gap in divisions" a simple division by the width.
   */
  readonly ratingFloor: number;
  readonly ratingPerDivision: number;
  readonly matchPoints: MatchPointsConfig;
}

export interface Rung {
  readonly tier: string;
  /** 4..1 for divisional tiers (1 is highest), undefined for apex tiers. */
  readonly division: number | undefined;
}

export interface Standing extends Rung {
  /** League points within the current rung; unbounded only on the top rung. */
  readonly points: number;
  readonly placementsPlayed: number;
  /** Maintained by the rating system; the ladder only reads it. */
  readonly hiddenRating: number;
}

export type MatchOutcome = 'win' | 'draw' | 'loss';

export const DEFAULT_LADDER: LadderConfig = validateLadder({
  tiers: [
    { name: 'Bronze', divisions: 4 },
    { name: 'Silver', divisions: 4 },
    { name: 'Gold', divisions: 4 },
    { name: 'Platinum', divisions: 4 },
    { name: 'Diamond', divisions: 4 },
    { name: 'Master', divisions: 0 },
    { name: 'Grandmaster', divisions: 0 },
  ],
  pointsPerDivision: 100,
  placementGames: 5,
  ratingFloor: 1000,
  ratingPerDivision: 50,
  matchPoints: { base: 20, min: 5, max: 40, perDivisionGap: 5 },
});

function invalidConfig(message: string): never {
  throw new LeagueError('invalid_config', message);
}

function requirePositive(value: number, label: string, integer: boolean): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    invalidConfig(`${label} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
}

/** Throws a LeagueError('invalid_config') describing the first problem found; returns the config. */
export function validateLadder(config: LadderConfig): LadderConfig {
  if (config.tiers.length === 0) invalidConfig('ladder needs at least one tier');
  const names = new Set<string>();
  let apexSeen: string | undefined;
  for (const tier of config.tiers) {
    if (tier.name.trim() === '') invalidConfig('tier names must not be empty');
    if (names.has(tier.name)) invalidConfig(`duplicate tier name "${tier.name}"`);
    names.add(tier.name);
    if (!Number.isInteger(tier.divisions) || tier.divisions < 0) {
      invalidConfig(`tier "${tier.name}" divisions must be a non-negative integer, got ${tier.divisions}`);
    }
    if (tier.divisions === 0) apexSeen = tier.name;
    else if (apexSeen !== undefined) {
      invalidConfig(`apex tier "${apexSeen}" must not be below divisional tier "${tier.name}"`);
    }
  }
  requirePositive(config.pointsPerDivision, 'pointsPerDivision', true);
  requirePositive(config.placementGames, 'placementGames', true);
  requirePositive(config.ratingPerDivision, 'ratingPerDivision', false);
  if (!Number.isFinite(config.ratingFloor)) invalidConfig('ratingFloor must be finite');
  const { base, min, max, perDivisionGap } = config.matchPoints;
  requirePositive(base, 'matchPoints.base', true);
  requirePositive(min, 'matchPoints.min', true);
  requirePositive(max, 'matchPoints.max', true);
  requirePositive(perDivisionGap, 'matchPoints.perDivisionGap', false);
  if (min > base || base > max) invalidConfig(`matchPoints must satisfy min <= base <= max`);
  // One match may then cross at most one division boundary.
  if (max > config.pointsPerDivision) invalidConfig('matchPoints.max must not exceed pointsPerDivision');
  return config;
}

// Configs are immutable values, so rungs are derived once per config object: LP arithmetic runs per match.
const rungsByConfig = new WeakMap<LadderConfig, readonly Rung[]>();
const indexByConfig = new WeakMap<LadderConfig, ReadonlyMap<string, number>>();

function rungKey(rung: Rung): string {
  return `${rung.tier}\u0000${rung.division ?? ''}`;
}

/** Every rung from lowest to highest. */
export function ladderRungs(config: LadderConfig): readonly Rung[] {
  let rungs = rungsByConfig.get(config);
  if (!rungs) {
    rungs = config.tiers.flatMap((tier): Rung[] =>
      tier.divisions === 0
        ? [{ tier: tier.name, division: undefined }]
        : Array.from({ length: tier.divisions }, (_, step) => ({ tier: tier.name, division: tier.divisions - step })),
    );
    rungsByConfig.set(config, rungs);
  }
  return rungs;
}

export function rungIndex(rung: Rung, config: LadderConfig): number {
  let indexes = indexByConfig.get(config);
  if (!indexes) {
    indexes = new Map(ladderRungs(config).map((candidate, index) => [rungKey(candidate), index]));
    indexByConfig.set(config, indexes);
  }
  const index = indexes.get(rungKey(rung));
  if (index === undefined) {
    throw new LeagueError('invalid_standing', `no rung ${rung.tier} ${rung.division ?? '(apex)'} on this ladder`);
  }
  return index;
}

/** Single comparable number: higher is better, equal means tied on the ladder. */
export function ladderPosition(standing: Standing, config: LadderConfig): number {
  return rungIndex(standing, config) * config.pointsPerDivision + standing.points;
}

/**
 * Moves a standing to an absolute ladder position. LP carries over across division boundaries
 * both ways (99 LP + 20 becomes 19 LP one division up), the lowest rung floors at 0 LP and the top
 * rung's LP grows without bound.
 */
export function withPosition(standing: Standing, position: number, config: LadderConfig): Standing {
  const rungs = ladderRungs(config);
  const clamped = Math.max(0, Math.floor(position));
  const index = Math.min(Math.floor(clamped / config.pointsPerDivision), rungs.length - 1);
  const rung = rungs[index] as Rung;
  return { ...standing, tier: rung.tier, division: rung.division, points: clamped - index * config.pointsPerDivision };
}

// Multiplying before dividing keeps whole ratings exact: (232 / 50) * 100 is 463.99…, 232 * 100 / 50 is 464.
function ratingToPosition(rating: number, config: LadderConfig): number {
  return ((rating - config.ratingFloor) * config.pointsPerDivision) / config.ratingPerDivision;
}

function positionToRating(position: number, config: LadderConfig): number {
  return config.ratingFloor + (position * config.ratingPerDivision) / config.pointsPerDivision;
}

export function rungForRating(rating: number, config: LadderConfig): Rung {
  const { tier, division } = placeByRating(newStanding(rating, config), config);
  return { tier, division };
}

/** Places a player where their hidden rating maps, with LP proportional to how far into the band. */
export function placeByRating(standing: Standing, config: LadderConfig): Standing {
  return withPosition(standing, ratingToPosition(standing.hiddenRating, config), config);
}

/** A player who has not played yet: lowest rung, 0 LP, no placements. */
export function newStanding(hiddenRating: number, config: LadderConfig): Standing {
  return withPosition({ tier: '', division: undefined, points: 0, placementsPlayed: 0, hiddenRating }, 0, config);
}

export function isPlaced(standing: Standing, config: LadderConfig): boolean {
  return standing.placementsPlayed >= config.placementGames;
}

/** The tier shown to players; undefined while placement games remain. */
export function visibleTier(standing: Standing, config: LadderConfig): Rung | undefined {
  return isPlaced(standing, config) ? { tier: standing.tier, division: standing.division } : undefined;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * LP delta for one match. The gap between the hidden rating and the rating of the displayed
 * position (in divisions) widens wins and narrows losses for underrated players and the reverse for
 * overrated ones, so displayed positions drift toward hidden ratings. A draw lands halfway between
 * a win and a loss: zero for a correctly placed player. Placement games award no LP.
 */
export function pointsForMatch(standing: Standing, outcome: MatchOutcome, config: LadderConfig): number {
  if (!isPlaced(standing, config)) return 0;
  const { base, min, max, perDivisionGap } = config.matchPoints;
  const displayedRating = positionToRating(ladderPosition(standing, config), config);
  const gapInDivisions = (standing.hiddenRating - displayedRating) / config.ratingPerDivision;
  const gain = clamp(base + gapInDivisions * perDivisionGap, min, max);
  const loss = clamp(base - gapInDivisions * perDivisionGap, min, max);
  const delta = outcome === 'win' ? gain : outcome === 'loss' ? -loss : (gain - loss) / 2;
  return Math.round(delta);
}

/**
 * New standing after one match. Callers update hiddenRating first; the final placement game places
 * the player by that rating. Later matches move LP with carry-over (see withPosition), which crosses
 * at most one division per match because matchPoints.max <= pointsPerDivision.
 */
export function applyMatch(standing: Standing, outcome: MatchOutcome, config: LadderConfig): Standing {
  if (!isPlaced(standing, config)) {
    const played = { ...standing, placementsPlayed: standing.placementsPlayed + 1 };
    return isPlaced(played, config) ? placeByRating(played, config) : played;
  }
  const delta = pointsForMatch(standing, outcome, config);
  return withPosition(standing, ladderPosition(standing, config) + delta, config);
}
