import { describe, expect, it } from 'vitest';
import {
  BASE_DISPLAY_RATING,
  DEFAULT_ELO_SETTINGS,
  DEFAULT_MU,
  DEFAULT_RATING_POLICY,
  DEFAULT_SIGMA,
  ELO_POINTS_PER_MU,
  RatingError,
  displayRating,
  eloDeltas,
  expectedScore,
  kFactor,
  ordinal,
  rateMatch,
  ratingKindFor,
  skillFromRating,
  type MatchOutcome,
  type RatedPlayer,
  type RatingChange,
  type RatingPolicy,
} from '../src/rating/index.js';
import { GameModes } from '../src/games/index.js';

/** The node's policy: each mode's kind from the mode registry. */
const POLICY: RatingPolicy = { ...DEFAULT_RATING_POLICY, modes: new GameModes().ratingKinds() };

/** An established player: at or above the provisional threshold, so K = 32 under the default settings. */
const ESTABLISHED = 30;

function player(playerId: string, rating = 1500, gamesPlayed = ESTABLISHED, extra: Partial<RatedPlayer> = {}): RatedPlayer {
  return { playerId, rating, gamesPlayed, ...extra };
}

/** One single-player placement per player, ranked in the order given unless ranks are passed. */
function ffa(players: RatedPlayer[], ranks: number[] = players.map((_, i) => i + 1), gameMode = 'deathmatch'): MatchOutcome {
  return { gameMode, placements: players.map((p, i) => ({ rank: ranks[i]!, players: [p] })) };
}

function byId(changes: RatingChange[]): Map<string, RatingChange> {
  return new Map(changes.map((change) => [change.playerId, change]));
}

function change(changes: RatingChange[], id: string): RatingChange {
  const found = byId(changes).get(id);
  if (!found) throw new Error(`no change for ${id}`);
  return found;
}

function sumOfDeltas(changes: RatingChange[]): number {
  return changes.reduce((sum, c) => sum + c.delta, 0);
}

describe('expectedScore', () => {
  it('is 0.5 between equal ratings and symmetric', () => {
    expect(expectedScore(1500, 1500)).toBe(0.5);
    expect(expectedScore(1400, 1200) + expectedScore(1200, 1400)).toBeCloseTo(1, 12);
  });

  it('gives a 200-point favourite about 76%', () => {
    // 1 / (1 + 10^(-200/400)) = 1 / (1 + 0.316228) = 0.759747
    expect(expectedScore(1400, 1200)).toBeCloseTo(0.759747, 6);
  });
});

describe('Elo 1v1', () => {
  it('moves equal ratings by K/2 = ±16', () => {
    const changes = rateMatch(ffa([player('a'), player('b')]), POLICY);
    expect(change(changes, 'a')).toEqual({ playerId: 'a', before: 1500, after: 1516, delta: 16 });
    expect(change(changes, 'b')).toEqual({ playerId: 'b', before: 1500, after: 1484, delta: -16 });
  });

  it('gives a favourite a small gain: 32 * (1 - 0.759747) = 7.688', () => {
    const changes = rateMatch(ffa([player('fav', 1400), player('dog', 1200)]), POLICY);
    expect(change(changes, 'fav').delta).toBeCloseTo(7.688, 3);
    expect(change(changes, 'dog').delta).toBeCloseTo(-7.688, 3);
  });

  it('gives an upset a big gain: 32 * 0.759747 = 24.312', () => {
    const changes = rateMatch(ffa([player('dog', 1200), player('fav', 1400)]), POLICY);
    expect(change(changes, 'dog').delta).toBeCloseTo(24.312, 3);
    expect(change(changes, 'dog').after).toBeCloseTo(1224.312, 3);
    expect(change(changes, 'fav').delta).toBeCloseTo(-24.312, 3);
  });

  it('leaves equal ratings unchanged on a draw', () => {
    const changes = rateMatch(ffa([player('a'), player('b')], [1, 1]), POLICY);
    expect(changes.map((c) => c.delta)).toEqual([0, 0]);
  });

  it('keeps ratings unrounded (rounding is for display only)', () => {
    const changes = rateMatch(ffa([player('fav', 1400), player('dog', 1200)]), POLICY);
    expect(Number.isInteger(change(changes, 'fav').after)).toBe(false);
  });
});

describe('provisional K', () => {
  const settings = DEFAULT_ELO_SETTINGS; // k 32, provisionalK 64, provisionalGames 10

  it('applies below the games threshold and not at or above it', () => {
    expect(kFactor(0, settings)).toBe(64);
    expect(kFactor(9, settings)).toBe(64);
    expect(kFactor(10, settings)).toBe(32);
    expect(kFactor(500, settings)).toBe(32);
  });

  it('doubles the swing of a new player against an established one', () => {
    const changes = rateMatch(ffa([player('new', 1500, 9), player('vet', 1500, 10)]), POLICY);
    expect(change(changes, 'new').delta).toBe(32);
    expect(change(changes, 'vet').delta).toBe(-16);
  });

  it('follows the policy settings', () => {
    const policy: RatingPolicy = { ...POLICY, elo: { k: 20, provisionalK: 40, provisionalGames: 3 } };
    const changes = rateMatch(ffa([player('a', 1500, 2), player('b', 1500, 3)]), policy);
    expect(change(changes, 'a').delta).toBe(20);
    expect(change(changes, 'b').delta).toBe(-10);
  });
});

describe('Elo free-for-all', () => {
  it('ranks deltas by placement with 1/(n-1) scaling', () => {
    // Equal ratings, n = 4: each pair is worth ±0.5 * 32 / 3.
    const players = ['p1', 'p2', 'p3', 'p4'].map((id) => player(id));
    const changes = rateMatch(ffa(players), POLICY);
    const deltas = changes.map((c) => c.delta);
    expect(deltas[0]).toBeCloseTo(16, 10); // beat all three: same as winning a 1v1
    expect(deltas[1]).toBeCloseTo(16 / 3, 10);
    expect(deltas[2]).toBeCloseTo(-16 / 3, 10);
    expect(deltas[3]).toBeCloseTo(-16, 10);
  });

  it('gives the winner the largest gain and the last the largest loss with mixed ratings', () => {
    const players = [player('a', 1450), player('b', 1600), player('c', 1380), player('d', 1520), player('e', 1700)];
    const deltas = rateMatch(ffa(players), POLICY).map((c) => c.delta);
    expect(Math.max(...deltas)).toBe(deltas[0]);
    expect(Math.min(...deltas)).toBe(deltas[4]);
    expect(deltas[0]).toBeGreaterThan(0);
    expect(deltas[4]).toBeLessThan(0);
  });

  it('changes nothing between tied players of equal rating', () => {
    const players = [player('first'), player('tieA'), player('tieB'), player('last')];
    const changes = rateMatch(ffa(players, [1, 2, 2, 3]), POLICY);
    expect(change(changes, 'tieA').delta).toBe(change(changes, 'tieB').delta);
    expect(change(changes, 'tieA').delta).toBeCloseTo(0, 12); // one loss and one win cancel out
    expect(change(changes, 'first').delta).toBeCloseTo(16, 10);
  });

  it('does not depend on the order placements are listed in', () => {
    const players = [player('a', 1450), player('b', 1600), player('c', 1380)];
    const forward = byId(rateMatch(ffa(players, [2, 1, 3]), POLICY));
    const reversed = byId(rateMatch(ffa([...players].reverse(), [3, 1, 2]), POLICY));
    for (const id of ['a', 'b', 'c']) expect(reversed.get(id)!.delta).toBeCloseTo(forward.get(id)!.delta, 12);
  });
});

describe('Elo zero-sum', () => {
  const ratings = [1234.5, 1611, 1400, 987, 1800, 1502.25];

  it('sums deltas to zero when every player has the same K', () => {
    const players = ratings.map((r, i) => player(`p${i}`, r));
    expect(sumOfDeltas(rateMatch(ffa(players, [3, 1, 2, 2, 6, 5]), POLICY))).toBeCloseTo(0, 9);
    const provisional = ratings.map((r, i) => player(`p${i}`, r, 0));
    expect(sumOfDeltas(rateMatch(ffa(provisional), POLICY))).toBeCloseTo(0, 9);
  });

  it('sums deltas to zero for 1v1 and equal-size teams', () => {
    expect(sumOfDeltas(rateMatch(ffa([player('a', 1333), player('b', 1777)]), POLICY))).toBeCloseTo(0, 12);
    const teams: MatchOutcome = {
      gameMode: 'deathmatch',
      placements: [
        { rank: 2, players: [player('a', 1300), player('b', 1700)] },
        { rank: 1, players: [player('c', 1450), player('d', 1350)] },
      ],
    };
    expect(sumOfDeltas(rateMatch(teams, POLICY))).toBeCloseTo(0, 12);
  });

  it('is not zero-sum when K differs (documented)', () => {
    expect(sumOfDeltas(rateMatch(ffa([player('new', 1500, 0), player('vet')]), POLICY))).toBe(16);
  });

  it('eloDeltas matches rateMatch for single players', () => {
    const deltas = eloDeltas([
      { rating: 1400, rank: 1, k: 32 },
      { rating: 1200, rank: 2, k: 32 },
    ]);
    expect(deltas[0]).toBeCloseTo(7.688, 3);
    expect(deltas[0]! + deltas[1]!).toBe(0);
  });
});

describe('Elo teams', () => {
  it('rates each team at its average and applies the team delta to every member', () => {
    // Both teams average 1500, so this is an even 1v1: ±16 each.
    const outcome: MatchOutcome = {
      gameMode: 'deathmatch',
      placements: [
        { rank: 1, players: [player('a', 1600), player('b', 1400)] },
        { rank: 2, players: [player('c', 1500), player('d', 1500)] },
      ],
    };
    const changes = rateMatch(outcome, POLICY);
    expect(changes.map((c) => [c.playerId, c.delta])).toEqual([
      ['a', 16],
      ['b', 16],
      ['c', -16],
      ['d', -16],
    ]);
    expect(change(changes, 'a').after).toBe(1616);
  });

  it('uses the team averages for the expectation', () => {
    // 1400 vs 1200 on average; the underdog team wins: each member +24.312, each favourite -24.312.
    const outcome: MatchOutcome = {
      gameMode: 'deathmatch',
      placements: [
        { rank: 1, players: [player('u1', 1100), player('u2', 1300)] },
        { rank: 2, players: [player('f1', 1400), player('f2', 1400)] },
      ],
    };
    const changes = rateMatch(outcome, POLICY);
    for (const id of ['u1', 'u2']) expect(change(changes, id).delta).toBeCloseTo(24.312, 3);
    for (const id of ['f1', 'f2']) expect(change(changes, id).delta).toBeCloseTo(-24.312, 3);
  });

  it('scales a provisional member by their own K', () => {
    const outcome: MatchOutcome = {
      gameMode: 'deathmatch',
      placements: [
        { rank: 1, players: [player('vet'), player('rookie', 1500, 1)] },
        { rank: 2, players: [player('c'), player('d')] },
      ],
    };
    const changes = rateMatch(outcome, POLICY);
    expect(change(changes, 'vet').delta).toBe(16);
    expect(change(changes, 'rookie').delta).toBe(32);
  });
});

describe('openskill teams', () => {
  const teamMode = 'team_deathmatch';

  function twoVsTwo(extra: Partial<RatedPlayer> = {}): MatchOutcome {
    return {
      gameMode: teamMode,
      placements: [
        { rank: 1, players: [player('w1', 1200, 0, extra), player('w2', 1200, 0, extra)] },
        { rank: 2, players: [player('l1', 1200, 0, extra), player('l2', 1200, 0, extra)] },
      ],
    };
  }

  it('maps a new player onto the 1200 column default', () => {
    expect(ordinal({ mu: DEFAULT_MU, sigma: DEFAULT_SIGMA })).toBeCloseTo(0, 12);
    expect(displayRating({ mu: DEFAULT_MU, sigma: DEFAULT_SIGMA })).toBeCloseTo(BASE_DISPLAY_RATING, 9);
    expect(DEFAULT_MU).toBe(25);
    expect(DEFAULT_SIGMA).toBeCloseTo(25 / 3, 12);
    // 400 / (ln 10 * sqrt(2) * 25/6)
    expect(ELO_POINTS_PER_MU).toBeCloseTo(29.4809, 4);
  });

  it('raises winners, lowers losers and shrinks everybody’s sigma', () => {
    const changes = rateMatch(twoVsTwo(), POLICY);
    for (const id of ['w1', 'w2']) {
      const c = change(changes, id);
      expect(c.mu).toBeGreaterThan(DEFAULT_MU);
      expect(c.delta).toBeGreaterThan(0);
      expect(c.after).toBeGreaterThan(c.before);
    }
    for (const id of ['l1', 'l2']) expect(change(changes, id).mu).toBeLessThan(DEFAULT_MU);
    for (const c of changes) {
      expect(c.sigma).toBeLessThan(DEFAULT_SIGMA);
      expect(c.before).toBe(1200);
      expect(c.after).toBeCloseTo(displayRating({ mu: c.mu!, sigma: c.sigma! }), 9);
      expect(c.delta).toBeCloseTo(c.after - c.before, 9);
    }
    expect(change(changes, 'w1').after).toBeGreaterThan(change(changes, 'l1').after);
  });

  it('lowers the display rating of settled losers', () => {
    const changes = rateMatch(twoVsTwo({ mu: 27, sigma: 2 }), POLICY);
    const before = displayRating({ mu: 27, sigma: 2 });
    for (const c of changes) expect(c.before).toBeCloseTo(before, 9);
    for (const id of ['w1', 'w2']) expect(change(changes, id).delta).toBeGreaterThan(0);
    for (const id of ['l1', 'l2']) expect(change(changes, id).delta).toBeLessThan(0);
  });

  it('keeps mu on a tie between equal teams and still reduces sigma', () => {
    const outcome = twoVsTwo();
    outcome.placements[1]!.rank = 1;
    for (const c of rateMatch(outcome, POLICY)) {
      expect(c.mu).toBeCloseTo(DEFAULT_MU, 9);
      expect(c.sigma).toBeLessThan(DEFAULT_SIGMA);
    }
  });

  it('seeds players without openskill state from their display rating', () => {
    expect(displayRating(skillFromRating(1537))).toBeCloseTo(1537, 9);
    expect(skillFromRating(1200)).toEqual({ mu: DEFAULT_MU, sigma: DEFAULT_SIGMA });
    const outcome: MatchOutcome = {
      gameMode: teamMode,
      placements: [
        { rank: 1, players: [player('strong', 1600, ESTABLISHED)] },
        { rank: 2, players: [player('fresh', 1200, 0)] },
      ],
    };
    const changes = rateMatch(outcome, POLICY);
    expect(change(changes, 'strong').before).toBe(1600);
    expect(change(changes, 'strong').mu).toBeGreaterThan(skillFromRating(1600).mu);
    expect(change(changes, 'fresh').mu).toBeLessThan(DEFAULT_MU);
  });

  it('handles more than two teams and uneven team sizes', () => {
    const outcome: MatchOutcome = {
      gameMode: teamMode,
      placements: [
        { rank: 2, players: [player('a1', 1200, 0), player('a2', 1200, 0), player('a3', 1200, 0)] },
        { rank: 1, players: [player('b1', 1200, 0), player('b2', 1200, 0)] },
        { rank: 3, players: [player('c1', 1200, 0)] },
      ],
    };
    const changes = rateMatch(outcome, POLICY);
    expect(changes.map((c) => c.playerId)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
    expect(change(changes, 'b1').mu).toBeGreaterThan(DEFAULT_MU);
    expect(change(changes, 'c1').mu).toBeLessThan(DEFAULT_MU);
    expect(change(changes, 'b1').mu).toBeGreaterThan(change(changes, 'a1').mu!);
  });
});

describe('rating kind per game mode', () => {
  it('uses Elo for deathmatch and openskill for team_deathmatch, as the mode registry says, and Elo for unknown modes', () => {
    expect(ratingKindFor('deathmatch', POLICY)).toBe('elo');
    expect(ratingKindFor('team_deathmatch', POLICY)).toBe('openskill');
    expect(ratingKindFor('capture_the_flag', POLICY)).toBe('elo');
    expect(ratingKindFor('constructor', POLICY)).toBe('elo');
  });

  it('rateMatch follows the kind: openskill changes carry mu/sigma, Elo ones do not', () => {
    const players = [player('a', 1200, 0), player('b', 1200, 0)];
    const elo = rateMatch(ffa(players, [1, 2], 'deathmatch'), POLICY);
    const skill = rateMatch(ffa(players, [1, 2], 'team_deathmatch'), POLICY);
    expect(elo[0]!.mu).toBeUndefined();
    expect(elo[0]!.delta).toBe(32);
    expect(skill[0]!.mu).toBeGreaterThan(DEFAULT_MU);
    expect(skill[0]!.sigma).toBeLessThan(DEFAULT_SIGMA);
  });

  it('honours a custom default kind and overrides', () => {
    const policy: RatingPolicy = { ...POLICY, defaultKind: 'openskill', modes: { duel: 'elo' } };
    expect(ratingKindFor('duel', policy)).toBe('elo');
    expect(ratingKindFor('anything_else', policy)).toBe('openskill');
  });

  it('rejects an unknown kind in a policy', () => {
    const policy = { ...POLICY, modes: { duel: 'glicko' } } as unknown as RatingPolicy;
    expect(() => rateMatch(ffa([player('a'), player('b')], [1, 2], 'duel'), policy)).toThrow(RatingError);
  });

  it('rejects bad Elo settings', () => {
    const policy: RatingPolicy = { ...POLICY, elo: { k: -1, provisionalK: 64, provisionalGames: 10 } };
    expect(() => rateMatch(ffa([player('a'), player('b')]), policy)).toThrow(/elo\.k/);
  });
});

describe('validation', () => {
  function expectInvalid(outcome: MatchOutcome, message: RegExp): void {
    let caught: unknown;
    try {
      rateMatch(outcome, POLICY);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RatingError);
    expect((caught as RatingError).code).toBe('invalid_outcome');
    expect((caught as RatingError).message).toMatch(message);
  }

  it('needs at least two placements', () => {
    expectInvalid(ffa([player('a')]), /at least 2 placements/);
    expectInvalid({ gameMode: 'deathmatch', placements: [] }, /at least 2 placements/);
  });

  it('needs unique player ids', () => {
    expectInvalid(ffa([player('a'), player('a')]), /player a appears more than once/);
    const teams: MatchOutcome = {
      gameMode: 'team_deathmatch',
      placements: [
        { rank: 1, players: [player('a'), player('b')] },
        { rank: 2, players: [player('b')] },
      ],
    };
    expectInvalid(teams, /player b appears more than once/);
  });

  it('needs finite ratings', () => {
    expectInvalid(ffa([player('a', Number.NaN), player('b')]), /non-finite rating/);
    expectInvalid(ffa([player('a'), player('b', Number.POSITIVE_INFINITY)]), /non-finite rating/);
  });

  it('needs positive integer ranks', () => {
    expectInvalid(ffa([player('a'), player('b')], [0, 1]), /ranks must be positive integers/);
    expectInvalid(ffa([player('a'), player('b')], [1, 1.5]), /ranks must be positive integers/);
    expectInvalid(ffa([player('a'), player('b')], [-1, 1]), /ranks must be positive integers/);
  });

  it('rejects empty teams, bad game counts and partial or invalid openskill state', () => {
    expectInvalid({ gameMode: 'deathmatch', placements: [{ rank: 1, players: [] }, { rank: 2, players: [player('a')] }] }, /no players/);
    expectInvalid(ffa([player('a', 1500, -1), player('b')]), /gamesPlayed/);
    expectInvalid(ffa([player('a', 1500, 1, { mu: 25 }), player('b')]), /both mu and sigma/);
    expectInvalid(ffa([player('a', 1500, 1, { mu: 25, sigma: 0 }), player('b')]), /invalid sigma/);
    expectInvalid(ffa([player('a', 1500, 1, { mu: Number.NaN, sigma: 1 }), player('b')]), /non-finite mu/);
  });
});

describe('determinism', () => {
  it('returns identical results for identical input and does not mutate it', () => {
    const elo = ffa([player('a', 1450), player('b', 1600, 3), player('c', 1380)], [2, 1, 2]);
    const skill: MatchOutcome = {
      gameMode: 'team_deathmatch',
      placements: [
        { rank: 1, players: [player('a', 1300, 4, { mu: 28, sigma: 4 }), player('b', 1200, 0)] },
        { rank: 2, players: [player('c', 1250, 7, { mu: 24, sigma: 6 }), player('d', 1700, 40)] },
      ],
    };
    for (const outcome of [elo, skill]) {
      const snapshot = structuredClone(outcome);
      const first = rateMatch(outcome, POLICY);
      const second = rateMatch(structuredClone(outcome), POLICY);
      expect(second).toEqual(first);
      expect(outcome).toEqual(snapshot);
    }
  });
});
