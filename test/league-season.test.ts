import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEASON_CONFIG,
  LeagueError,
  applyMatch,
  assignCohorts,
  formCohorts,
  ladderPosition,
  ladderRungs,
  newStanding,
  rolloverSeason,
  rungIndex,
  standardSeason,
  validateSeasonConfig,
  type MatchOutcome,
  type Season,
  type SeasonConfig,
  type SeasonMember,
  type SeasonPlayer,
} from '../src/leagues/index.js';
import { seededRandom } from './support/random.js';

const config = DEFAULT_SEASON_CONFIG;
const { ladder } = config;
/** Zones only: lets a test see promotion and relegation without the soft reset blurring them. */
const zonesOnly: SeasonConfig = { ...config, softReset: { ...config.softReset, keep: 1 }, inactivityDecay: 0 };
const noDecay: SeasonConfig = { ...config, inactivityDecay: 0 };
const TOP_RUNG = ladderRungs(ladder).length - 1;


function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const swap = Math.floor(random() * (index + 1));
    [copy[index], copy[swap]] = [copy[swap] as T, copy[index] as T];
  }
  return copy;
}

const NEWCOMERS = 20;

/**
 * Season 1 for 1000 established players (placed by hidden rating, 10% inactive) plus newcomers
 * still in placements; the active players play 30 rounds of random pairings decided by hidden rating.
 */
function simulateSeason(seed: number): Season {
  const random = seededRandom(seed);
  const players: SeasonPlayer[] = Array.from({ length: 1000 }, (_, index) => {
    const hiddenRating = 1500 + 300 * (random() + random() + random() + random() - 2);
    let standing = newStanding(hiddenRating, ladder);
    for (let game = 0; game < ladder.placementGames; game++) standing = applyMatch(standing, 'win', ladder);
    return { playerId: `p${String(index).padStart(4, '0')}`, standing, gamesPlayed: 0 };
  });
  for (let index = 0; index < NEWCOMERS; index++) {
    const standing = { ...newStanding(1500, ladder), placementsPlayed: 2 };
    players.push({ playerId: `new${index}`, standing, gamesPlayed: 2 });
  }
  const members = new Map(formCohorts(1, players, config).map((member) => [member.playerId, member]));
  const active = [...members.values()].filter((member) => member.playerId.startsWith('p') && random() >= 0.1);
  for (let round = 0; round < 30; round++) {
    const order = shuffled(active, random);
    for (let seat = 0; seat + 1 < order.length; seat += 2) {
      const first = members.get((order[seat] as SeasonMember).playerId) as SeasonMember;
      const second = members.get((order[seat + 1] as SeasonMember).playerId) as SeasonMember;
      const firstExpected = 1 / (1 + 10 ** ((second.standing.hiddenRating - first.standing.hiddenRating) / 400));
      const roll = random();
      const [firstOutcome, secondOutcome]: [MatchOutcome, MatchOutcome] =
        roll < 0.05 ? ['draw', 'draw'] : roll < 0.05 + 0.95 * firstExpected ? ['win', 'loss'] : ['loss', 'win'];
      for (const [member, outcome] of [[first, firstOutcome], [second, secondOutcome]] as const) {
        members.set(member.playerId, {
          ...member,
          standing: applyMatch(member.standing, outcome, ladder),
          gamesPlayed: member.gamesPlayed + 1,
        });
      }
    }
  }
  return { seasonId: 1, members: [...members.values()] };
}

const season = simulateSeason(2024);

function positions(next: Season): Map<string, number> {
  return new Map(next.members.map((member) => [member.playerId, ladderPosition(member.standing, ladder)]));
}

function byCohort(members: readonly SeasonMember[]): Map<string, SeasonMember[]> {
  const cohorts = new Map<string, SeasonMember[]>();
  for (const member of members) cohorts.set(member.cohort.id, [...(cohorts.get(member.cohort.id) ?? []), member]);
  return cohorts;
}

/** Asserts `after` never reverses a strict order of `before` among the given players. */
function expectOrderKept(playerIds: readonly string[], before: Map<string, number>, after: Map<string, number>): void {
  const sorted = [...playerIds].sort((left, right) => (before.get(right) as number) - (before.get(left) as number));
  const reversals = sorted.filter((playerId, index) => {
    const below = sorted[index + 1];
    return below !== undefined && (after.get(playerId) as number) < (after.get(below) as number);
  });
  expect(reversals).toEqual([]);
}

describe('assignCohorts', () => {
  it('splits into the fewest cohorts of near-equal size, keeping the given order', () => {
    const members = Array.from({ length: 101 }, (_, index) => index);
    const cohorts = assignCohorts(members, 50);
    expect(cohorts.map((cohort) => cohort.length)).toEqual([34, 34, 33]);
    expect(cohorts.flat()).toEqual(members);
    expect(assignCohorts(members.slice(0, 100), 50).map((cohort) => cohort.length)).toEqual([50, 50]);
    expect(assignCohorts(members.slice(0, 7), 50)).toEqual([members.slice(0, 7)]);
    expect(assignCohorts([], 50)).toEqual([]);
  });

  it('rejects a non-positive cohort size', () => {
    expect(() => assignCohorts([1], 0)).toThrow(LeagueError);
  });
});

describe('season config', () => {
  it('rejects broken zones, sizes and resets', () => {
    const cases: [SeasonConfig, RegExp][] = [
      [{ ...config, cohortSize: 0 }, /cohortSize/],
      [{ ...config, zones: { Iron: config.zones.Gold! } }, /unknown tier "Iron"/],
      [{ ...config, zones: { Gold: { promote: { fraction: 1.5 }, relegate: { count: 1 } } } }, /zones.Gold.promote.fraction/],
      [{ ...config, zones: { Gold: { promote: { count: 1 }, relegate: { count: -2 } } } }, /zones.Gold.relegate.count/],
      [{ ...config, softReset: { ...config.softReset, keep: 2 } }, /softReset.keep/],
      [{ ...config, softReset: { toward: { tier: 'Master', division: 2 }, keep: 0.5 } }, /softReset.toward/],
      [{ ...config, inactivityDecay: -1 }, /inactivityDecay/],
      [{ ...config, ladder: { ...ladder, tiers: [] } }, /at least one tier/],
    ];
    for (const [broken, message] of cases) expect(() => validateSeasonConfig(broken)).toThrow(message);
  });
});

describe('rolloverSeason', () => {
  const next = rolloverSeason(season, 2, config);

  it('is identity when the input already is the target season, and refuses other targets', () => {
    expect(next.seasonId).toBe(2);
    expect(rolloverSeason(next, 2, config)).toBe(next);
    expect(() => rolloverSeason(season, 3, config)).toThrow(/cannot roll season 1 over to 3/);
    expect(() => rolloverSeason(next, 1, config)).toThrow(LeagueError);
    const duplicated = { seasonId: 1, members: [...season.members, season.members[0] as SeasonMember] };
    expect(() => rolloverSeason(duplicated, 2, config)).toThrow(/duplicate playerId/);
  });

  it('is deterministic and leaves its input untouched', () => {
    const before = JSON.stringify(season);
    expect(rolloverSeason(season, 2, config)).toEqual(next);
    expect(JSON.stringify(season)).toBe(before);
  });

  it('promotes and relegates exactly the zones of every cohort, within the ladder bounds', () => {
    const moved = rolloverSeason(season, 2, zonesOnly);
    const after = new Map(moved.members.map((member) => [member.playerId, member.standing]));
    let promoted = 0;
    let relegated = 0;
    for (const cohort of byCohort(season.members).values()) {
      const ranked = cohort
        .filter((member) => member.standing.placementsPlayed >= ladder.placementGames)
        .sort(
          (left, right) =>
            ladderPosition(right.standing, ladder) - ladderPosition(left.standing, ladder) ||
            right.standing.hiddenRating - left.standing.hiddenRating ||
            (left.playerId < right.playerId ? -1 : 1),
        );
      const zones = config.zones[(cohort[0] as SeasonMember).cohort.tier];
      const zoneSize = (zone: { count: number } | { fraction: number } | undefined): number =>
        zone === undefined ? 0 : 'count' in zone ? zone.count : Math.floor(zone.fraction * ranked.length);
      const promoteZone = Math.min(zoneSize(zones?.promote), ranked.length);
      const relegateZone = Math.min(zoneSize(zones?.relegate), ranked.length - promoteZone);
      ranked.forEach((member, rank) => {
        const from = rungIndex(member.standing, ladder);
        const standing = after.get(member.playerId)!;
        const step = rank < promoteZone ? 1 : rank >= ranked.length - relegateZone ? -1 : 0;
        const expectedRung = Math.min(TOP_RUNG, Math.max(0, from + step));
        expect(rungIndex(standing, ladder)).toBe(expectedRung);
        if (expectedRung === from) expect(standing).toEqual(member.standing);
        else expect(standing.points).toBe(0);
        if (expectedRung > from) promoted++;
        if (expectedRung < from) relegated++;
      });
    }
    // The simulation is only meaningful if the zones actually moved people.
    expect(promoted).toBeGreaterThan(50);
    expect(relegated).toBeGreaterThan(50);
  });

  it('seats every member in exactly one cohort of their own division, none above the max size', () => {
    const ids = next.members.map((member) => member.playerId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(season.members.map((member) => member.playerId).sort());
    for (const member of next.members) {
      expect(member.cohort).toMatchObject({ tier: member.standing.tier, division: member.standing.division });
      expect(member.cohort.id.startsWith('s2/')).toBe(true);
      expect(member.gamesPlayed).toBe(0);
    }
    const sizesByDivision = new Map<string, number[]>();
    for (const cohort of byCohort(next.members).values()) {
      expect(cohort.length).toBeLessThanOrEqual(config.cohortSize);
      const division = `${cohort[0]!.cohort.tier} ${cohort[0]!.cohort.division}`;
      sizesByDivision.set(division, [...(sizesByDivision.get(division) ?? []), cohort.length]);
    }
    for (const sizes of sizesByDivision.values()) expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect([...sizesByDivision.values()].some((sizes) => sizes.length > 1)).toBe(true);
  });

  it('keeps every standing on the ladder', () => {
    for (const member of next.members) {
      const rung = rungIndex(member.standing, ladder);
      expect(member.standing.points).toBeGreaterThanOrEqual(0);
      if (rung < TOP_RUNG) expect(member.standing.points).toBeLessThan(ladder.pointsPerDivision);
    }
  });

  it('soft-resets toward the pivot without ever swapping two players', () => {
    const beforeReset = positions(rolloverSeason(season, 2, zonesOnly));
    const afterReset = positions(rolloverSeason(season, 2, noDecay));
    const placedIds = season.members.filter((member) => member.playerId.startsWith('p')).map((member) => member.playerId);
    expectOrderKept(placedIds, beforeReset, afterReset);
    const pivot = rungIndex(config.softReset.toward, ladder) * ladder.pointsPerDivision;
    for (const playerId of placedIds) {
      const distanceBefore = beforeReset.get(playerId)! - pivot;
      expect(afterReset.get(playerId)).toBe(Math.floor(pivot + distanceBefore * config.softReset.keep));
    }
  });

  it('decays inactive players by the configured amount, order-consistent within each group', () => {
    const reset = positions(rolloverSeason(season, 2, noDecay));
    const decayed = positions(next);
    const established = season.members.filter((member) => member.playerId.startsWith('p'));
    const inactive = established.filter((member) => member.gamesPlayed === 0).map((member) => member.playerId);
    const active = established.filter((member) => member.gamesPlayed > 0).map((member) => member.playerId);
    expect(inactive.length).toBeGreaterThan(50);
    for (const playerId of inactive) {
      expect(decayed.get(playerId)).toBe(Math.max(0, reset.get(playerId)! - config.inactivityDecay));
    }
    for (const playerId of active) expect(decayed.get(playerId)).toBe(reset.get(playerId));
    expectOrderKept(inactive, reset, decayed);
    expectOrderKept(active, reset, decayed);
  });

  it('carries players still in placements over unchanged', () => {
    const newcomers = next.members.filter((member) => member.playerId.startsWith('new'));
    expect(newcomers).toHaveLength(NEWCOMERS);
    for (const member of newcomers) {
      expect(member.standing).toEqual(season.members.find((old) => old.playerId === member.playerId)!.standing);
    }
  });

  it('never promotes above the top tier nor relegates below the bottom division', () => {
    const lonelyTop: Season = {
      seasonId: 4,
      members: formCohorts(
        4,
        [
          { playerId: 'top', standing: { tier: 'Grandmaster', division: undefined, points: 900, placementsPlayed: 5, hiddenRating: 3000 }, gamesPlayed: 9 },
          { playerId: 'bottom', standing: { tier: 'Bronze', division: 4, points: 0, placementsPlayed: 5, hiddenRating: 500 }, gamesPlayed: 9 },
        ],
        config,
      ),
    };
    const everyoneMoves: SeasonConfig = {
      ...zonesOnly,
      zones: {
        Bronze: { promote: { count: 0 }, relegate: { count: 1 } },
        Grandmaster: { promote: { count: 1 }, relegate: { count: 0 } },
      },
    };
    const next = rolloverSeason(lonelyTop, 5, everyoneMoves);
    expect(next.members.map((member) => [member.playerId, member.standing.tier, member.standing.points])).toEqual([
      ['bottom', 'Bronze', 0],
      ['top', 'Grandmaster', 900],
    ]);
  });
});

describe('standardSeason', () => {
  it('is the default season over the default tiers', () => {
    expect(standardSeason(ladder, 50)).toEqual(DEFAULT_SEASON_CONFIG);
  });

  it('derives zones and the soft reset target from any tier list', () => {
    const custom = standardSeason({ ...ladder, tiers: [{ name: 'Iron', divisions: 2 }, { name: 'Steel', divisions: 3 }, { name: 'Legend', divisions: 0 }] }, 10);
    expect(custom.zones).toEqual({
      Iron: { promote: { fraction: 0.1 }, relegate: { fraction: 0.1 } },
      Steel: { promote: { fraction: 0.1 }, relegate: { fraction: 0.1 } },
      Legend: { promote: { count: 0 }, relegate: { fraction: 0.2 } },
    });
    expect(custom.softReset.toward).toEqual({ tier: 'Steel', division: 3 });
    const apexOnly = standardSeason({ ...ladder, tiers: [{ name: 'Open', divisions: 0 }] }, 10);
    expect(apexOnly.softReset.toward).toEqual({ tier: 'Open', division: undefined });
  });
});
