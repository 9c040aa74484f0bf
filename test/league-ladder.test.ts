import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LADDER,
  LeagueError,
  applyMatch,
  ladderPosition,
  ladderRungs,
  newStanding,
  placeByRating,
  pointsForMatch,
  rungForRating,
  rungIndex,
  validateLadder,
  visibleTier,
  type LadderConfig,
  type MatchOutcome,
  type Standing,
} from '../src/leagues/index.js';
import { seededRandom } from './support/random.js';

const ladder = DEFAULT_LADDER;

/** A placed standing; hiddenRating defaults to exactly the rating of the displayed position. */
function placed(tier: string, division: number | undefined, points: number, hiddenRating?: number): Standing {
  const position = rungIndex({ tier, division }, ladder) * ladder.pointsPerDivision + points;
  const ratingOfPosition = ladder.ratingFloor + (position / ladder.pointsPerDivision) * ladder.ratingPerDivision;
  return { tier, division, points, placementsPlayed: ladder.placementGames, hiddenRating: hiddenRating ?? ratingOfPosition };
}

function play(standing: Standing, outcomes: readonly MatchOutcome[]): Standing {
  return outcomes.reduce((current, outcome) => applyMatch(current, outcome, ladder), standing);
}

function expectConfigError(config: LadderConfig, message: RegExp): void {
  try {
    validateLadder(config);
  } catch (error) {
    expect(error).toBeInstanceOf(LeagueError);
    expect((error as LeagueError).code).toBe('invalid_config');
    expect((error as LeagueError).message).toMatch(message);
    return;
  }
  throw new Error(`expected invalid_config matching ${message}`);
}


describe('ladder config', () => {
  it('orders divisions IV..I within each tier and apex tiers on top', () => {
    const rungs = ladderRungs(ladder);
    expect(rungs).toHaveLength(22);
    expect(rungs[0]).toEqual({ tier: 'Bronze', division: 4 });
    expect(rungs[3]).toEqual({ tier: 'Bronze', division: 1 });
    expect(rungs[19]).toEqual({ tier: 'Diamond', division: 1 });
    expect(rungs.slice(20)).toEqual([
      { tier: 'Master', division: undefined },
      { tier: 'Grandmaster', division: undefined },
    ]);
  });

  it('rejects broken configs with clear errors', () => {
    expectConfigError({ ...ladder, tiers: [] }, /at least one tier/);
    expectConfigError({ ...ladder, tiers: [{ name: 'Gold', divisions: 4 }, { name: 'Gold', divisions: 0 }] }, /duplicate tier name "Gold"/);
    expectConfigError(
      { ...ladder, tiers: [{ name: 'Master', divisions: 0 }, { name: 'Gold', divisions: 4 }] },
      /apex tier "Master" must not be below divisional tier "Gold"/,
    );
    expectConfigError({ ...ladder, tiers: [{ name: '', divisions: 4 }] }, /must not be empty/);
    expectConfigError({ ...ladder, tiers: [{ name: 'Gold', divisions: 1.5 }] }, /non-negative integer/);
    expectConfigError({ ...ladder, pointsPerDivision: 0 }, /pointsPerDivision must be a positive integer/);
    expectConfigError({ ...ladder, placementGames: -1 }, /placementGames must be a positive integer/);
    expectConfigError({ ...ladder, ratingPerDivision: 0 }, /ratingPerDivision/);
    expectConfigError({ ...ladder, matchPoints: { ...ladder.matchPoints, min: 0 } }, /matchPoints.min/);
    expectConfigError({ ...ladder, matchPoints: { ...ladder.matchPoints, min: 30 } }, /min <= base <= max/);
    expectConfigError({ ...ladder, pointsPerDivision: 30 }, /must not exceed pointsPerDivision/);
  });

  it('rejects standings on rungs the ladder does not have', () => {
    expect(() => ladderPosition({ ...placed('Gold', 4, 0), division: 5 }, ladder)).toThrow(LeagueError);
    expect(() => ladderPosition({ ...placed('Gold', 4, 0), tier: 'Iron' }, ladder)).toThrow(/no rung Iron/);
  });
});

describe('placement', () => {
  it('shows no tier until the last placement game, then places by hidden rating', () => {
    let standing = newStanding(1425, ladder);
    for (let game = 1; game < ladder.placementGames; game++) {
      standing = applyMatch(standing, 'win', ladder);
      expect(visibleTier(standing, ladder)).toBeUndefined();
      expect(standing.points).toBe(0);
    }
    standing = applyMatch(standing, 'loss', ladder);
    expect(visibleTier(standing, ladder)).toEqual({ tier: 'Gold', division: 4 });
    expect(standing.points).toBe(50);
    expect(standing.placementsPlayed).toBe(ladder.placementGames);
  });

  it('maps ratings linearly onto rungs, clamped at both ends', () => {
    expect(rungForRating(200, ladder)).toEqual({ tier: 'Bronze', division: 4 });
    expect(rungForRating(1049, ladder)).toEqual({ tier: 'Bronze', division: 4 });
    expect(rungForRating(1050, ladder)).toEqual({ tier: 'Bronze', division: 3 });
    expect(rungForRating(1999, ladder)).toEqual({ tier: 'Diamond', division: 1 });
    expect(rungForRating(2000, ladder)).toEqual({ tier: 'Master', division: undefined });
    expect(rungForRating(9000, ladder)).toEqual({ tier: 'Grandmaster', division: undefined });
  });

  it('places whole ratings at exact league points (no float rounding down)', () => {
    const placed = (rating: number) => placeByRating({ ...newStanding(rating, ladder), placementsPlayed: ladder.placementGames }, ladder);
    expect(placed(1232)).toMatchObject({ tier: 'Silver', division: 4, points: 64 });
    expect(placed(1510)).toMatchObject({ tier: 'Gold', division: 2, points: 20 });
  });

  it('awards no LP during placements', () => {
    expect(pointsForMatch(newStanding(3000, ladder), 'win', ladder)).toBe(0);
  });
});

describe('pointsForMatch', () => {
  it('gives the base amount to a correctly placed player', () => {
    const standing = placed('Gold', 4, 0);
    expect(pointsForMatch(standing, 'win', ladder)).toBe(20);
    expect(pointsForMatch(standing, 'loss', ladder)).toBe(-20);
    expect(pointsForMatch(standing, 'draw', ladder)).toBe(0);
  });

  it('rewards underrated players more and punishes them less, and the reverse', () => {
    const underrated = placed('Gold', 4, 0, 1500); // two divisions above the display
    expect(pointsForMatch(underrated, 'win', ladder)).toBe(30);
    expect(pointsForMatch(underrated, 'loss', ladder)).toBe(-10);
    expect(pointsForMatch(underrated, 'draw', ladder)).toBe(10);
    const overrated = placed('Gold', 4, 0, 1300);
    expect(pointsForMatch(overrated, 'win', ladder)).toBe(10);
    expect(pointsForMatch(overrated, 'loss', ladder)).toBe(-30);
    expect(pointsForMatch(overrated, 'draw', ladder)).toBe(-10);
  });

  it('clamps deltas to the configured bounds', () => {
    const smurf = placed('Bronze', 4, 0, 3000);
    expect(pointsForMatch(smurf, 'win', ladder)).toBe(40);
    expect(pointsForMatch(smurf, 'loss', ladder)).toBe(-5);
    const boosted = placed('Diamond', 1, 0, 1000);
    expect(pointsForMatch(boosted, 'win', ladder)).toBe(5);
    expect(pointsForMatch(boosted, 'loss', ladder)).toBe(-40);
  });
});

describe('applyMatch', () => {
  it('promotes one division with LP carried over', () => {
    expect(applyMatch(placed('Gold', 4, 90), 'win', ladder)).toMatchObject({ tier: 'Gold', division: 3, points: 10 });
    expect(applyMatch(placed('Gold', 1, 95), 'win', ladder)).toMatchObject({ tier: 'Platinum', division: 4, points: 15 });
  });

  it('demotes one division with LP carried over', () => {
    expect(applyMatch(placed('Gold', 4, 10), 'loss', ladder)).toMatchObject({ tier: 'Silver', division: 1, points: 90 });
    expect(applyMatch(placed('Master', undefined, 0), 'loss', ladder)).toMatchObject({ tier: 'Diamond', division: 1, points: 80 });
  });

  it('never drops below 0 LP in the lowest division', () => {
    const bottom = placed('Bronze', 4, 0, 0);
    expect(applyMatch(bottom, 'loss', ladder)).toEqual(bottom);
    expect(applyMatch(placed('Bronze', 4, 10, 0), 'loss', ladder)).toMatchObject({ tier: 'Bronze', division: 4, points: 0 });
  });

  it('moves between apex tiers and lets the top tier grow unbounded', () => {
    expect(applyMatch(placed('Master', undefined, 90), 'win', ladder)).toMatchObject({ tier: 'Grandmaster', points: 10 });
    const top = placed('Grandmaster', undefined, 980, 9000);
    const after = play(top, Array<MatchOutcome>(10).fill('win'));
    expect(after).toMatchObject({ tier: 'Grandmaster', division: undefined, points: 1380 });
    expect(applyMatch(placed('Grandmaster', undefined, 5), 'loss', ladder)).toMatchObject({ tier: 'Master', points: 85 });
  });

  it('is pure: the input standing is not modified and results repeat', () => {
    const standing = placed('Silver', 2, 50, 1500);
    const snapshot = { ...standing };
    expect(applyMatch(standing, 'win', ladder)).toEqual(applyMatch(standing, 'win', ladder));
    expect(standing).toEqual(snapshot);
  });

  it('keeps every standing on the ladder and moves at most one division per match', () => {
    const random = seededRandom(7);
    const outcomes: MatchOutcome[] = ['win', 'draw', 'loss'];
    const topRung = ladderRungs(ladder).length - 1;
    const violations: string[] = [];
    for (let player = 0; player < 200; player++) {
      let standing = newStanding(800 + random() * 1600, ladder);
      for (let game = 0; game < 100; game++) {
        const before = standing.placementsPlayed < ladder.placementGames ? undefined : rungIndex(standing, ladder);
        standing = applyMatch(standing, outcomes[Math.floor(random() * 3)] as MatchOutcome, ladder);
        const after = rungIndex(standing, ladder);
        const skipped = before !== undefined && Math.abs(after - before) > 1;
        const pointsOutOfRange = standing.points < 0 || (after < topRung && standing.points >= ladder.pointsPerDivision);
        if (skipped || pointsOutOfRange) violations.push(`player ${player} game ${game}: ${JSON.stringify(standing)}`);
      }
    }
    expect(violations).toEqual([]);
  });
});

describe('convergence', () => {
  const diamondThree = rungIndex({ tier: 'Diamond', division: 3 }, ladder);

  it('lets an underrated player climb to near their rating tier within a bounded number of wins', () => {
    let standing = placed('Bronze', 4, 0, 1875); // rating of Diamond III, displayed 17 divisions lower
    let wins = 0;
    while (rungIndex(standing, ladder) < diamondThree - 1) {
      standing = applyMatch(standing, 'win', ladder);
      wins++;
      expect(wins).toBeLessThanOrEqual(50);
    }
    // 16 divisions at the 40 LP cap would take exactly 40 wins; the last few earn less.
    expect(wins).toBeGreaterThanOrEqual(40);
  });

  it('settles at the rating tier under an even win/loss record, from above and from below', () => {
    const alternating = Array.from({ length: 400 }, (_, game): MatchOutcome => (game % 2 === 0 ? 'win' : 'loss'));
    for (const start of [placed('Bronze', 4, 0, 1875), placed('Grandmaster', undefined, 300, 1875)]) {
      const settled = play(start, alternating);
      expect(Math.abs(rungIndex(settled, ladder) - diamondThree)).toBeLessThanOrEqual(1);
    }
  });
});
