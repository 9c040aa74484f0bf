import { describe, expect, it } from 'vitest';
import { advance, snakeGroups } from '../src/tournaments/formats/stages.js';
import { standings, type Standing, type TieBreak } from '../src/tournaments/formats/standings.js';
import { FormatError, type Entrant, type MatchView, type PointsTable } from '../src/tournaments/formats/types.js';

const LEAGUE_POINTS: PointsTable = { win: 3, draw: 1, loss: 0, bye: 3 };

/** Entrants seeded in the order given: the first is seed 1. */
function seeded(...ids: string[]): Entrant[] {
  return ids.map((id, index) => ({ id, seed: index + 1 }));
}

let matchNumber = 0;

function decided(first: string, second: string, winner: 0 | 1 | null, forfeited?: (0 | 1)[]): MatchView {
  const id = `M${++matchNumber}`;
  return {
    id,
    round: 1,
    bracket: 'swiss',
    slots: [
      { kind: 'entrant', entrantId: first },
      { kind: 'entrant', entrantId: second },
    ],
    state: 'done',
    result: { matchId: id, winner, score: winner === null ? [0, 0] : winner === 0 ? [1, 0] : [0, 1], forfeited },
  };
}

const beats = (winner: string, loser: string): MatchView => decided(winner, loser, 0);
const draws = (first: string, second: string): MatchView => decided(first, second, null);

function byeFor(entrantId: string): MatchView {
  return {
    id: `M${++matchNumber}`,
    round: 1,
    bracket: 'swiss',
    slots: [{ kind: 'entrant', entrantId }, { kind: 'bye' }],
    state: 'done',
  };
}

const order = (table: Standing[]): string[] => table.map((standing) => standing.entrantId);

function find(table: Standing[], entrantId: string): Standing {
  const standing = table.find((candidate) => candidate.entrantId === entrantId);
  if (!standing) throw new Error(`no standing for ${entrantId}`);
  return standing;
}

function expectFormatError(run: () => unknown, code: FormatError['code']): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).code).toBe(code);
    return;
  }
  throw new Error(`expected FormatError ${code}`);
}


/** A, B, C, D level on 3 points, with games among them that a mini-table must settle twice. */
const FOUR_WAY_ENTRANTS = seeded('C', 'B', 'A', 'D', 'E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7');
const FOUR_WAY_MATCHES = [
  beats('A', 'B'),
  beats('C', 'A'),
  draws('A', 'D'),
  beats('B', 'C'),
  beats('B', 'D'),
  beats('C', 'D'),
  beats('B', 'E1'),
  beats('C', 'E2'),
  beats('A', 'E3'),
  draws('A', 'E4'),
  beats('D', 'E5'),
  beats('D', 'E6'),
  draws('D', 'E7'),
];
describe('standings: points tables', () => {
  // A beats B, draws C, beats D; B beats C and D; C draws D.
  const entrants = seeded('D', 'C', 'B', 'A');
  const matches = [
    beats('A', 'B'),
    draws('A', 'C'),
    beats('A', 'D'),
    beats('B', 'C'),
    beats('B', 'D'),
    draws('C', 'D'),
  ];

  it('scores 3-1-0 for a league-like round robin', () => {
    // A: W2 D1 = 7, B: W2 L1 = 6, C: D2 L1 = 2, D: D1 L2 = 1.
    const table = standings(entrants, matches, { points: LEAGUE_POINTS });
    expect(order(table)).toEqual(['A', 'B', 'C', 'D']);
    expect(table.map((standing) => standing.points)).toEqual([7, 6, 2, 1]);
    expect(find(table, 'A')).toMatchObject({ rank: 1, wins: 2, draws: 1, losses: 0, byes: 0, played: 3 });
    expect(find(table, 'C')).toMatchObject({ rank: 3, wins: 0, draws: 2, losses: 1, played: 3 });
  });

  it('scores 1-½-0 by default', () => {
    const table = standings(entrants, matches, {});
    expect(table.map((standing) => [standing.entrantId, standing.points])).toEqual([
      ['A', 2.5],
      ['B', 2],
      ['C', 1],
      ['D', 0.5],
    ]);
  });
});

describe('standings: each tie-break decides', () => {
  it('head-to-head splits a 2-way tie that Buchholz and seed would order the other way', () => {
    // 3-1-0 round robin: A>B, B>C, C>D, D>A, A>C, B>D. A = B = 6, C = D = 3.
    // Buchholz A = B6 + C3 + D3 = 12 = B's, but A beat B; C = D on points, and C beat D.
    const table = standings(
      seeded('B', 'A', 'D', 'C'),
      [beats('A', 'B'), beats('B', 'C'), beats('C', 'D'), beats('D', 'A'), beats('A', 'C'), beats('B', 'D')],
      { points: LEAGUE_POINTS },
    );
    expect(order(table)).toEqual(['A', 'B', 'C', 'D']);
    expect(find(table, 'A').tieBreaks).toMatchObject({ head_to_head: 3, buchholz: 12 });
    expect(find(table, 'B').tieBreaks).toMatchObject({ head_to_head: 0, buchholz: 12 });
  });

  it('Buchholz splits entrants level on points who never met', () => {
    // R1: A>B, C>D, E>F. R2: A>C, E>D, B>F. A = E = 2, B = C = 1, D = F = 0.
    // Buchholz A = B1 + C1 = 2, E = F0 + D0 = 0, so A leads despite E's seed.
    // B and C: Buchholz 2 each, cut-1 2 each, SB 0 each, 1 win each: seed puts B first.
    const table = standings(seeded('E', 'A', 'B', 'C', 'D', 'F'), [
      beats('A', 'B'),
      beats('C', 'D'),
      beats('E', 'F'),
      beats('A', 'C'),
      beats('E', 'D'),
      beats('B', 'F'),
    ]);
    expect(order(table)).toEqual(['A', 'E', 'B', 'C', 'D', 'F']);
    expect(find(table, 'A').tieBreaks.buchholz).toBe(2);
    expect(find(table, 'E').tieBreaks.buchholz).toBe(0);
  });

  it('Buchholz cut-1 splits equal Buchholz by dropping the weakest opponent', () => {
    // Points: P 2, U 1.5, X 1, Y 1, V 0.5, W 0, Q 0.
    // X lost to P (2), beat Q (0): Buchholz 2, cut-1 2 − 0 = 2, SB 0.
    // Y drew U (1.5) and V (0.5): Buchholz 2, cut-1 2 − 0.5 = 1.5, SB ½·(1.5 + 0.5) = 1.
    // Cut-1 favours X before SB (which favours Y) is reached.
    const table = standings(seeded('Y', 'X', 'P', 'Q', 'U', 'V', 'W'), [
      beats('P', 'X'),
      beats('X', 'Q'),
      draws('Y', 'U'),
      draws('Y', 'V'),
      beats('P', 'W'),
      beats('U', 'W'),
    ]);
    expect(order(table)).toEqual(['P', 'U', 'X', 'Y', 'V', 'W', 'Q']);
    expect(find(table, 'X').tieBreaks).toMatchObject({ buchholz: 2, buchholz_cut1: 2, sonneborn_berger: 0 });
    expect(find(table, 'Y').tieBreaks).toMatchObject({ buchholz: 2, buchholz_cut1: 1.5, sonneborn_berger: 1 });
  });

  it('Sonneborn-Berger splits a round-robin tie with a drawn head-to-head', () => {
    // A-B draw, A>C, D>A, B>D, C>B, C>D. C 2, A 1.5, B 1.5, D 1.
    // A and B: head-to-head ½ each; Buchholz 4.5 each; cut-1 4.5 − 1 = 3.5 each.
    // SB A = C2 + ½·B1.5 = 2.75, SB B = D1 + ½·A1.5 = 1.75.
    const table = standings(seeded('B', 'A', 'C', 'D'), [
      draws('A', 'B'),
      beats('A', 'C'),
      beats('D', 'A'),
      beats('B', 'D'),
      beats('C', 'B'),
      beats('C', 'D'),
    ]);
    expect(order(table)).toEqual(['C', 'A', 'B', 'D']);
    expect(find(table, 'A').tieBreaks).toMatchObject({ head_to_head: 0.5, buchholz: 4.5, buchholz_cut1: 3.5 });
    expect(find(table, 'A').tieBreaks.sonneborn_berger).toBe(2.75);
    expect(find(table, 'B').tieBreaks.sonneborn_berger).toBe(1.75);
  });

  it('Sonneborn-Berger weighs draws by draw/win under 3-1-0', () => {
    // Same games: C 6, A 4, B 4, D 3. SB A = C6 + (1/3)·B4, SB B = D3 + (1/3)·A4.
    const table = standings(
      seeded('B', 'A', 'C', 'D'),
      [draws('A', 'B'), beats('A', 'C'), beats('D', 'A'), beats('B', 'D'), beats('C', 'B'), beats('C', 'D')],
      { points: LEAGUE_POINTS },
    );
    expect(order(table)).toEqual(['C', 'A', 'B', 'D']);
    expect(find(table, 'A').tieBreaks.sonneborn_berger).toBeCloseTo(6 + 4 / 3, 10);
    expect(find(table, 'B').tieBreaks.sonneborn_berger).toBeCloseTo(3 + 4 / 3, 10);
  });

  it('wins split a tie that every earlier tie-break leaves level', () => {
    // P, Q, U, V score 2 each; X and Y score 1; the F's score 0.
    // X: beat P, lost to Q → Buchholz 4, cut-1 2, SB 2, 1 win.
    // Y: drew U and V → Buchholz 4, cut-1 2, SB ½·(2 + 2) = 2, 0 wins.
    const table = standings(seeded('Y', 'X', 'P', 'Q', 'U', 'V', 'F1', 'F2', 'F3'), [
      beats('X', 'P'),
      beats('Q', 'X'),
      draws('Y', 'U'),
      draws('Y', 'V'),
      beats('P', 'F1'),
      beats('P', 'F2'),
      beats('Q', 'F3'),
      beats('U', 'F3'),
      draws('U', 'V'),
      beats('V', 'F2'),
    ]);
    const level = { head_to_head: 0, buchholz: 4, buchholz_cut1: 2, sonneborn_berger: 2 };
    expect(find(table, 'X')).toMatchObject({ rank: 5, points: 1, tieBreaks: { ...level, wins: 1 } });
    expect(find(table, 'Y')).toMatchObject({ rank: 6, points: 1, tieBreaks: { ...level, wins: 0 } });
  });

  it('seed is the last resort and makes ranks 1..n', () => {
    // A>B and C>D: A and C (and B and D) are level on everything else.
    const table = standings(seeded('C', 'A', 'D', 'B'), [beats('A', 'B'), beats('C', 'D')]);
    expect(order(table)).toEqual(['C', 'A', 'D', 'B']);
    expect(table.map((standing) => standing.rank)).toEqual([1, 2, 3, 4]);
    expect(find(table, 'D').tieBreaks.seed).toBe(3);
  });
});

describe('standings: ties of three or more', () => {
  it('falls through when a 3-way mini-table is level', () => {
    // 3-1-0: A>B, B>C, C>A, and each beats D. A = B = C = 6; mini-table 3 each.
    // Buchholz 6 + 6 + 0 = 12 each, cut-1 12 each, SB 6 each, 2 wins each: seed decides.
    const table = standings(
      seeded('C', 'A', 'B', 'D'),
      [beats('A', 'B'), beats('B', 'C'), beats('C', 'A'), beats('A', 'D'), beats('B', 'D'), beats('C', 'D')],
      { points: LEAGUE_POINTS },
    );
    expect(order(table)).toEqual(['C', 'A', 'B', 'D']);
    for (const id of ['A', 'B', 'C']) {
      expect(find(table, id).tieBreaks).toMatchObject({
        head_to_head: 3,
        buchholz: 12,
        buchholz_cut1: 12,
        sonneborn_berger: 6,
        wins: 2,
      });
    }
  });

  it('re-applies head-to-head to the sub-group a 4-way mini-table leaves level', () => {
    // A, B, C, D score 3 each. Games among them: A>B, C>A, A-D draw, B>C, B>D, C>D.
    // 4-way mini-table: B 2, C 2, A 1.5, D 0.5. Re-applied to {B, C}: B beat C, so B leads.
    // Without the re-application C would lead: B and C also match on Buchholz (9), cut-1 (9), SB (6) and
    // wins (3), and C has the better seed.
    const table = standings(FOUR_WAY_ENTRANTS, FOUR_WAY_MATCHES);
    expect(order(table).slice(0, 4)).toEqual(['B', 'C', 'A', 'D']);
    expect(table.slice(0, 4).map((standing) => standing.points)).toEqual([3, 3, 3, 3]);
    expect(find(table, 'B').tieBreaks).toMatchObject({ head_to_head: 2, buchholz: 9, sonneborn_berger: 6, wins: 3 });
    expect(find(table, 'C').tieBreaks).toMatchObject({ head_to_head: 2, buchholz: 9, sonneborn_berger: 6, wins: 3 });
  });
});

describe('standings: byes and forfeits', () => {
  it('scores a bye as bye points with no opponent, and cut-1 cuts the bye first', () => {
    // R1: A bye, B>C, D>E. R2: C bye, D>A, B>E. A 1, B 2, C 1, D 2, E 0.
    // A: Buchholz = D2 (the bye adds nothing); cut-1 cuts the bye, so it stays 2.
    const table = standings(seeded('A', 'B', 'C', 'D', 'E'), [
      byeFor('A'),
      beats('B', 'C'),
      beats('D', 'E'),
      byeFor('C'),
      beats('D', 'A'),
      beats('B', 'E'),
    ]);
    expect(find(table, 'A')).toMatchObject({ points: 1, wins: 0, losses: 1, byes: 1, played: 1 });
    expect(find(table, 'A').tieBreaks).toMatchObject({ buchholz: 2, buchholz_cut1: 2, sonneborn_berger: 0 });
    // E: opponents D2 and B2; no bye, so cut-1 drops a 2.
    expect(find(table, 'E').tieBreaks).toMatchObject({ buchholz: 4, buchholz_cut1: 2 });
    expect(order(table)).toEqual(['B', 'D', 'A', 'C', 'E']);
  });

  it('uses the table’s bye points and accepts the bye in either slot', () => {
    const byeFirst: MatchView = { ...byeFor('A'), slots: [{ kind: 'bye' }, { kind: 'entrant', entrantId: 'A' }] };
    const table = standings(seeded('A', 'B'), [byeFirst], { points: { ...LEAGUE_POINTS, bye: 2 } });
    expect(find(table, 'A')).toMatchObject({ points: 2, byes: 1, played: 0 });
  });

  it('ignores undecided matches and slots with nobody in them', () => {
    const waiting: MatchView = {
      id: 'W1',
      round: 2,
      bracket: 'swiss',
      slots: [{ kind: 'entrant', entrantId: 'A' }, { kind: 'pending' }],
      state: 'waiting',
    };
    const ready: MatchView = { ...beats('A', 'B'), state: 'ready', result: undefined };
    const doubleBye: MatchView = { ...byeFor('A'), slots: [{ kind: 'bye' }, { kind: 'bye' }] };
    const table = standings(seeded('A', 'B'), [waiting, ready, doubleBye]);
    expect(table.every((standing) => standing.points === 0 && standing.played === 0 && standing.byes === 0)).toBe(true);
  });

  it('counts a forfeit win as a win and keeps the forfeiter as an opponent', () => {
    // A wins by B's forfeit, C beats D over the board. B still counts in A's Buchholz (B has 0).
    const table = standings(seeded('A', 'B', 'C', 'D'), [decided('A', 'B', 0, [1]), beats('C', 'D'), beats('B', 'D')]);
    expect(find(table, 'A')).toMatchObject({ points: 1, wins: 1, played: 1 });
    expect(find(table, 'B')).toMatchObject({ points: 1, wins: 1, losses: 1, played: 2 });
    expect(find(table, 'A').tieBreaks).toMatchObject({ buchholz: 1, sonneborn_berger: 1 });
  });

  it('scores a double forfeit as a loss for both', () => {
    const table = standings(seeded('A', 'B'), [decided('A', 'B', null, [0, 1])], { points: LEAGUE_POINTS });
    expect(find(table, 'A')).toMatchObject({ points: 0, draws: 0, losses: 1, played: 1 });
    expect(find(table, 'B')).toMatchObject({ points: 0, draws: 0, losses: 1, played: 1 });
  });

  it('refuses forfeits that contradict the winner', () => {
    expectFormatError(() => standings(seeded('A', 'B'), [decided('A', 'B', null, [0])]), 'invalid_result');
    expectFormatError(() => standings(seeded('A', 'B'), [decided('A', 'B', 0, [0])]), 'invalid_result');
  });
});

describe('standings: determinism and shared ranks', () => {
  const entrants = FOUR_WAY_ENTRANTS;
  const matches = FOUR_WAY_MATCHES;

  it('gives the same table whatever the order of matches and entrants', () => {
    for (const points of [undefined, LEAGUE_POINTS]) {
      const expected = standings(entrants, matches, { points });
      const rotated = [...matches.slice(5), ...matches.slice(0, 5)];
      expect(standings([...entrants].reverse(), [...matches].reverse(), { points })).toEqual(expected);
      expect(standings(entrants, rotated, { points })).toEqual(expected);
    }
  });

  it('shares ranks when seed is left out of the chain', () => {
    // A beats B and C; B and C beat D. B and C: 1 point, Buchholz A2 + D0 = 2, cut-1 2, SB 0, 1 win.
    const chain: TieBreak[] = ['head_to_head', 'buchholz', 'buchholz_cut1', 'sonneborn_berger', 'wins'];
    const table = standings(
      seeded('A', 'C', 'B', 'D'),
      [beats('A', 'B'), beats('A', 'C'), beats('B', 'D'), beats('C', 'D')],
      { tieBreaks: chain },
    );
    expect(table.map((standing) => [standing.entrantId, standing.rank])).toEqual([
      ['A', 1],
      ['C', 2],
      ['B', 2],
      ['D', 4],
    ]);
  });

  it('sorts by points alone with an empty chain', () => {
    const table = standings(seeded('A', 'B', 'C'), [beats('C', 'A')], { tieBreaks: [] });
    expect(table.map((standing) => [standing.entrantId, standing.rank])).toEqual([
      ['C', 1],
      ['A', 2],
      ['B', 2],
    ]);
  });
});

describe('standings: validation', () => {
  it('refuses matches naming unknown entrants or an entrant against itself', () => {
    expectFormatError(() => standings(seeded('A'), [beats('A', 'Z')]), 'invalid_result');
    expectFormatError(() => standings(seeded('A'), [beats('A', 'A')]), 'invalid_result');
  });

  it('refuses duplicate entrant ids or seeds', () => {
    expectFormatError(() => standings([...seeded('A'), { id: 'A', seed: 2 }], []), 'invalid_entrants');
    expectFormatError(() => standings([...seeded('A'), { id: 'B', seed: 1 }], []), 'invalid_entrants');
  });

  it('refuses unknown tie-breaks and unusable points tables', () => {
    const unknown = ['median'] as unknown as TieBreak[];
    expectFormatError(() => standings(seeded('A'), [], { tieBreaks: unknown }), 'invalid_settings');
    expectFormatError(() => standings(seeded('A'), [], { points: { ...LEAGUE_POINTS, win: 0 } }), 'invalid_settings');
    const notANumber = { ...LEAGUE_POINTS, draw: Number.NaN };
    expectFormatError(() => standings(seeded('A'), [], { points: notANumber }), 'invalid_settings');
  });
});

describe('snakeGroups', () => {
  it('deals in serpentine order', () => {
    expect(snakeGroups([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([
      [1, 6, 7],
      [2, 5],
      [3, 4],
    ]);
    expect(snakeGroups([1, 2, 3, 4, 5, 6, 7, 8], 2)).toEqual([
      [1, 4, 5, 8],
      [2, 3, 6, 7],
    ]);
    expect(snakeGroups([1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([[1, 8, 9], [2, 7], [3, 6], [4, 5]]);
    expect(snakeGroups(['a', 'b'], 1)).toEqual([['a', 'b']]);
    expect(snakeGroups([], 2)).toEqual([[], []]);
  });

  it('refuses a group count below one or fractional', () => {
    expectFormatError(() => snakeGroups([1], 0), 'invalid_settings');
    expectFormatError(() => snakeGroups([1], 1.5), 'invalid_settings');
  });
});

describe('advance', () => {
  function standing(entrantId: string, rank: number, points: number, buchholz = 0): Standing {
    return {
      entrantId,
      rank,
      points,
      wins: 0,
      draws: 0,
      losses: 0,
      byes: 0,
      played: 0,
      tieBreaks: { head_to_head: 0, buchholz, buchholz_cut1: 0, sonneborn_berger: 0, wins: 0, seed: rank },
    };
  }

  // Winners: B1 7; C1 6 (Buchholz 11); A1 and D1 6 (Buchholz 10, level: group order).
  // Runners-up: C2 5; A2 and B2 4 (Buchholz 9, level: group order); D2 3.
  // Thirds: D3 3; A3 and C3 2 (Buchholz 8, level: group order); B3 1.
  const groups: Standing[][] = [
    [standing('A1', 1, 6, 10), standing('A2', 2, 4, 9), standing('A3', 3, 2, 8), standing('A4', 4, 0)],
    [standing('B1', 1, 7, 9), standing('B2', 2, 4, 9), standing('B3', 3, 1), standing('B4', 4, 0)],
    [standing('C1', 1, 6, 11), standing('C2', 2, 5, 8), standing('C3', 3, 2, 8), standing('C4', 4, 0)],
    [standing('D1', 1, 6, 10), standing('D2', 2, 3), standing('D3', 3, 3), standing('D4', 4, 0)],
  ];

  const cases: { groupCount: number; topK: number; expected: string[] }[] = [
    { groupCount: 2, topK: 1, expected: ['B1', 'A1'] },
    { groupCount: 2, topK: 2, expected: ['B1', 'A1', 'A2', 'B2'] },
    { groupCount: 2, topK: 3, expected: ['B1', 'A1', 'A2', 'B2', 'A3', 'B3'] },
    { groupCount: 3, topK: 1, expected: ['B1', 'C1', 'A1'] },
    { groupCount: 3, topK: 2, expected: ['B1', 'C1', 'A1', 'C2', 'A2', 'B2'] },
    { groupCount: 3, topK: 3, expected: ['B1', 'C1', 'A1', 'C2', 'A2', 'B2', 'A3', 'C3', 'B3'] },
    { groupCount: 4, topK: 1, expected: ['B1', 'C1', 'A1', 'D1'] },
    { groupCount: 4, topK: 2, expected: ['B1', 'C1', 'A1', 'D1', 'C2', 'A2', 'B2', 'D2'] },
    {
      groupCount: 4,
      topK: 3,
      expected: ['B1', 'C1', 'A1', 'D1', 'C2', 'A2', 'B2', 'D2', 'D3', 'A3', 'C3', 'B3'],
    },
  ];

  it.each(cases)('seeds the top $topK of $groupCount groups place by place', ({ groupCount, topK, expected }) => {
    const seededEntrants = advance(groups.slice(0, groupCount), topK);
    expect(seededEntrants).toEqual(expected.map((id, index) => ({ id, seed: index + 1 })));
  });

  it('reads places from ranks, not from array order', () => {
    const shuffled = [[...(groups[0] ?? [])].reverse(), [...(groups[1] ?? [])].reverse()];
    expect(advance(shuffled, 2)).toEqual(advance(groups.slice(0, 2), 2));
  });

  it('takes the top K from real standings and snakes them into the next stage', () => {
    const groupA = standings(seeded('a1', 'a2', 'a3'), [beats('a1', 'a2'), beats('a1', 'a3'), beats('a2', 'a3')]);
    const groupB = standings(
      [
        { id: 'b1', seed: 4 },
        { id: 'b2', seed: 5 },
        { id: 'b3', seed: 6 },
      ],
      [beats('b2', 'b1'), beats('b2', 'b3'), draws('b1', 'b3')],
    );
    // Group B: b2 2, then b1 and b3 on 0.5, level down to seed (b1). Winners a1 and b2 both have 2 points and
    // Buchholz 1; cut-1 a1 = 1 − 0 = 1 beats b2 = 1 − 0.5 = 0.5. Runners-up: a2 (1) before b1 (0.5).
    const next = advance([groupA, groupB], 2);
    expect(next.map((entrant) => entrant.id)).toEqual(['a1', 'b2', 'a2', 'b1']);
    expect(snakeGroups(next, 2).map((group) => group.map((entrant) => entrant.id))).toEqual([
      ['a1', 'b1'],
      ['b2', 'a2'],
    ]);
  });

  it('validates K against the smallest group', () => {
    const uneven = [groups[0] ?? [], (groups[1] ?? []).slice(0, 2)];
    for (const topK of [0, -1, 1.5, 3, Number.NaN]) expectFormatError(() => advance(uneven, topK), 'invalid_settings');
    expect(advance(uneven, 2)).toHaveLength(4);
    expectFormatError(() => advance([], 1), 'invalid_settings');
  });

  it('refuses a shared rank across the cut but accepts one inside it', () => {
    const tiedAtCut = [[standing('X1', 1, 3), standing('X2', 2, 1), standing('X3', 2, 1)]];
    expectFormatError(() => advance(tiedAtCut, 2), 'invalid_settings');
    expect(advance(tiedAtCut, 3).map((entrant) => entrant.id)).toEqual(['X1', 'X2', 'X3']);
  });

  it('refuses an entrant in two groups', () => {
    expectFormatError(() => advance([[standing('X', 1, 1)], [standing('X', 1, 1)]], 1), 'invalid_entrants');
  });
});
