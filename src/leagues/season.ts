/**
 * Season structure: cohorts within divisions, promotion/relegation zones and the season rollover.
 * Pure functions only; storage applies the returned season as a whole.
 */
import {
  DEFAULT_LADDER,
  LeagueError,
  isPlaced,
  ladderPosition,
  ladderRungs,
  rungIndex,
  validateLadder,
  withPosition,
  type LadderConfig,
  type Rung,
  type Standing,
} from './ladder.js';

/** A zone as an absolute count or as a fraction (rounded down) of a cohort's ranked members. */
export type ZoneSize = { readonly count: number } | { readonly fraction: number };

export interface TierZones {
  readonly promote: ZoneSize;
  readonly relegate: ZoneSize;
}

export interface SoftReset {
  /** Every placed player is pulled toward the bottom of this rung. */
  readonly toward: Rung;
  /** Fraction of the distance to `toward` that is kept: 1 is no reset, 0 puts everyone there. */
  readonly keep: number;
}

export interface SeasonConfig {
  readonly ladder: LadderConfig;
  readonly cohortSize: number;
  /** Keyed by tier name; tiers without an entry neither promote nor relegate. */
  readonly zones: Readonly<Record<string, TierZones>>;
  readonly softReset: SoftReset;
  /** LP removed from placed players with no games this season, applied after the soft reset. */
  readonly inactivityDecay: number;
}

export interface Cohort extends Rung {
  readonly id: string;
}

export interface SeasonPlayer {
  readonly playerId: string;
  readonly standing: Standing;
  readonly gamesPlayed: number;
}

export interface SeasonMember extends SeasonPlayer {
  /** The cohort the member was seated in at season start, with the division it was formed for. */
  readonly cohort: Cohort;
}

export interface Season {
  readonly seasonId: number;
  readonly members: readonly SeasonMember[];
}

const DIVISIONAL_ZONES: TierZones = { promote: { fraction: 0.1 }, relegate: { fraction: 0.1 } };
const APEX_ZONES: TierZones = { promote: { count: 3 }, relegate: { fraction: 0.2 } };

/**
 * The standard season over a ladder's tiers: a divisional tier's groups promote and relegate their top and
 * bottom tenth, an apex tier's promote their top 3 and relegate their bottom fifth, the top tier promotes no
 * one; the soft reset pulls halfway toward the lowest division of the middle divisional tier (Gold IV on the
 * default ladder) and inactivity costs 100 LP.
 */
export function standardSeason(ladder: LadderConfig, cohortSize: number): SeasonConfig {
  const zones: Record<string, TierZones> = {};
  ladder.tiers.forEach((tier, index) => {
    const zone = tier.divisions > 0 ? DIVISIONAL_ZONES : APEX_ZONES;
    zones[tier.name] = index === ladder.tiers.length - 1 ? { ...zone, promote: { count: 0 } } : zone;
  });
  const divisional = ladder.tiers.filter((tier) => tier.divisions > 0);
  const middle = divisional[Math.floor(divisional.length / 2)];
  const toward: Rung = middle ? { tier: middle.name, division: middle.divisions } : { tier: ladder.tiers[0]!.name, division: undefined };
  return validateSeasonConfig({ ladder, cohortSize, zones, softReset: { toward, keep: 0.5 }, inactivityDecay: 100 });
}

export const DEFAULT_SEASON_CONFIG: SeasonConfig = standardSeason(DEFAULT_LADDER, 50);

function invalidConfig(message: string): never {
  throw new LeagueError('invalid_config', message);
}

function validateZone(zone: ZoneSize, label: string): void {
  if ('count' in zone) {
    if (!Number.isInteger(zone.count) || zone.count < 0) invalidConfig(`${label}.count must be a non-negative integer`);
  } else if (!(zone.fraction >= 0 && zone.fraction <= 1)) {
    invalidConfig(`${label}.fraction must be within [0, 1]`);
  }
}

export function validateSeasonConfig(config: SeasonConfig): SeasonConfig {
  validateLadder(config.ladder);
  if (!Number.isInteger(config.cohortSize) || config.cohortSize <= 0) {
    invalidConfig(`cohortSize must be a positive integer, got ${config.cohortSize}`);
  }
  const tierNames = new Set(config.ladder.tiers.map((tier) => tier.name));
  for (const [tier, zones] of Object.entries(config.zones)) {
    if (!tierNames.has(tier)) invalidConfig(`zones given for unknown tier "${tier}"`);
    validateZone(zones.promote, `zones.${tier}.promote`);
    validateZone(zones.relegate, `zones.${tier}.relegate`);
  }
  if (!(config.softReset.keep >= 0 && config.softReset.keep <= 1)) invalidConfig('softReset.keep must be within [0, 1]');
  try {
    rungIndex(config.softReset.toward, config.ladder);
  } catch {
    invalidConfig('softReset.toward is not a rung of the ladder');
  }
  if (!(config.inactivityDecay >= 0)) invalidConfig('inactivityDecay must be non-negative');
  return config;
}

/**
 * Splits members, in the order given, into the fewest cohorts of at most maxSize with sizes that
 * differ by at most one (larger cohorts first): 101 members, max 50 gives 34/34/33.
 */
export function assignCohorts<T>(members: readonly T[], maxSize: number): T[][] {
  if (!Number.isInteger(maxSize) || maxSize <= 0) invalidConfig(`maxSize must be a positive integer, got ${maxSize}`);
  const count = Math.ceil(members.length / maxSize);
  const cohorts: T[][] = [];
  let start = 0;
  for (let index = 0; index < count; index++) {
    const size = Math.floor(members.length / count) + (index < members.length % count ? 1 : 0);
    cohorts.push(members.slice(start, start + size));
    start += size;
  }
  return cohorts;
}

/** Cohort ids name their season, rung and ordinal: `s3/Gold 2/1`, `s3/Master/4`. */
export function cohortId(seasonId: number, rung: Rung, ordinal: number): string {
  return `s${seasonId}/${rung.tier}${rung.division === undefined ? '' : ` ${rung.division}`}/${ordinal}`;
}

/**
 * Seats every player in exactly one cohort of their current division. Players are ordered by id
 * within a division so cohorts are deterministic and not stratified by skill.
 */
export function formCohorts(seasonId: number, players: readonly SeasonPlayer[], config: SeasonConfig): SeasonMember[] {
  const byRung = new Map<number, SeasonPlayer[]>();
  for (const player of players) {
    const index = rungIndex(player.standing, config.ladder);
    const group = byRung.get(index);
    if (group) group.push(player);
    else byRung.set(index, [player]);
  }
  const rungs = ladderRungs(config.ladder);
  return [...byRung.entries()]
    .sort(([left], [right]) => left - right)
    .flatMap(([index, group]) => {
      const rung = rungs[index] as Rung;
      const sorted = [...group].sort((left, right) => compareIds(left.playerId, right.playerId));
      return assignCohorts(sorted, config.cohortSize).flatMap((cohort, ordinal) => {
        const seat: Cohort = { id: cohortId(seasonId, rung, ordinal + 1), tier: rung.tier, division: rung.division };
        return cohort.map((player) => ({ ...player, cohort: seat }));
      });
    });
}

function compareIds(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function zoneCount(zone: ZoneSize | undefined, rankedSize: number): number {
  if (zone === undefined) return 0;
  return Math.min(rankedSize, 'count' in zone ? zone.count : Math.floor(zone.fraction * rankedSize));
}

export type Zone = 'promotion' | 'relegation';

export interface CohortRank<T extends SeasonPlayer> {
  readonly player: T;
  /** 1-based and distinct: ties on the ladder are broken by hidden rating, then player id. */
  readonly rank: number;
  readonly zone: Zone | null;
}

/**
 * Ranks one cohort's placed members best first (ladder position, then hidden rating, then id) and marks the
 * zones of `tier`, the cohort's tier. Members still in placements are unranked and left out. Promotion wins
 * when the zones would overlap.
 */
export function rankCohort<T extends SeasonPlayer>(tier: string, members: readonly T[], config: SeasonConfig): CohortRank<T>[] {
  const { ladder } = config;
  const ranked = members
    .filter((member) => isPlaced(member.standing, ladder))
    .sort(
      (left, right) =>
        ladderPosition(right.standing, ladder) - ladderPosition(left.standing, ladder) ||
        right.standing.hiddenRating - left.standing.hiddenRating ||
        compareIds(left.playerId, right.playerId),
    );
  const zones = config.zones[tier];
  const promoted = zoneCount(zones?.promote, ranked.length);
  const relegated = Math.min(zoneCount(zones?.relegate, ranked.length), ranked.length - promoted);
  return ranked.map((player, index) => ({
    player,
    rank: index + 1,
    zone: index < promoted ? 'promotion' : index >= ranked.length - relegated ? 'relegation' : null,
  }));
}

export type Movement = 'promoted' | 'relegated' | 'stayed';

export interface SeasonOutcome {
  readonly member: SeasonMember;
  /** 1-based among the cohort's placed members; undefined for a member still in placements. */
  readonly rank: number | undefined;
  readonly movement: Movement;
  /** Where the zones leave the member: one rung up or down at 0 LP, else the final standing itself. */
  readonly reached: Standing;
}

/**
 * What a season's end decides for each member, in the order given: the rank in its cohort and the zone's move.
 * Players already on the top (bottom) rung stay put.
 */
export function seasonOutcomes(members: readonly SeasonMember[], config: SeasonConfig): SeasonOutcome[] {
  const { ladder } = config;
  const topRung = ladderRungs(ladder).length - 1;
  const byCohort = new Map<string, SeasonMember[]>();
  for (const member of members) {
    const cohort = byCohort.get(member.cohort.id);
    if (cohort) cohort.push(member);
    else byCohort.set(member.cohort.id, [member]);
  }
  const ranks = new Map<string, CohortRank<SeasonMember>>();
  for (const cohort of byCohort.values()) {
    for (const entry of rankCohort((cohort[0] as SeasonMember).cohort.tier, cohort, config)) ranks.set(entry.player.playerId, entry);
  }
  return members.map((member): SeasonOutcome => {
    const entry = ranks.get(member.playerId);
    const index = rungIndex(member.standing, ladder);
    const step = entry?.zone === 'promotion' ? 1 : entry?.zone === 'relegation' ? -1 : 0;
    const target = Math.min(topRung, Math.max(0, index + step));
    if (target === index) return { member, rank: entry?.rank, movement: 'stayed', reached: member.standing };
    const reached = withPosition(member.standing, target * ladder.pointsPerDivision, ladder);
    return { member, rank: entry?.rank, movement: step > 0 ? 'promoted' : 'relegated', reached };
  });
}

/**
 * The cohort a player entering `rung` mid-season is seated in: the fullest one with room, else a new one under
 * the lowest ordinal no current cohort uses. `sizes` holds the rung's non-empty cohorts and their member counts.
 */
export function seatInRung(seasonId: number, rung: Rung, sizes: ReadonlyMap<string, number>, cohortSize: number): string {
  let fullest: { id: string; size: number } | undefined;
  for (const [id, size] of sizes) {
    if (size >= cohortSize) continue;
    if (!fullest || size > fullest.size || (size === fullest.size && compareIds(id, fullest.id) < 0)) fullest = { id, size };
  }
  if (fullest) return fullest.id;
  for (let ordinal = 1; ; ordinal++) {
    const id = cohortId(seasonId, rung, ordinal);
    if (!sizes.has(id)) return id;
  }
}

/**
 * Affine pull toward the pivot followed by flooring: both are non-decreasing, so if A was strictly
 * above B before, A is at or above B after. Decay subtracts the same amount from every inactive
 * player, keeping inactive players ordered among themselves.
 */
function resetStanding(standing: Standing, inactive: boolean, config: SeasonConfig): Standing {
  const { ladder, softReset } = config;
  const pivot = rungIndex(softReset.toward, ladder) * ladder.pointsPerDivision;
  const pulled = Math.floor(pivot + (ladderPosition(standing, ladder) - pivot) * softReset.keep);
  return withPosition(standing, inactive ? pulled - config.inactivityDecay : pulled, ladder);
}

/**
 * Produces season `toSeasonId` from `season`: zones, then soft reset, then inactivity decay, then
 * fresh cohorts per division with gamesPlayed back to 0. Players still in placements are carried
 * over untouched (they are unranked). Retrying is safe: if `season` already is `toSeasonId` it is
 * returned as is; any other target than the next season id is an error.
 */
export function rolloverSeason(season: Season, toSeasonId: number, config: SeasonConfig): Season {
  if (season.seasonId === toSeasonId) return season;
  if (!Number.isInteger(season.seasonId) || toSeasonId !== season.seasonId + 1) {
    throw new LeagueError('invalid_season', `cannot roll season ${season.seasonId} over to ${toSeasonId}`);
  }
  const ids = new Set(season.members.map((member) => member.playerId));
  if (ids.size !== season.members.length) throw new LeagueError('invalid_season', 'duplicate playerId in season');

  const next = seasonOutcomes(season.members, config).map(({ member, reached }): SeasonPlayer => {
    const { playerId, standing } = member;
    if (!isPlaced(standing, config.ladder)) return { playerId, standing, gamesPlayed: 0 };
    return { playerId, standing: resetStanding(reached, member.gamesPlayed === 0, config), gamesPlayed: 0 };
  });
  return { seasonId: toSeasonId, members: formCohorts(toSeasonId, next, config) };
}
