import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../src/sim/index.js';
import {
  doubleElimination,
  singleElimination,
  type EliminationState,
  type GrandFinalMode,
} from '../src/tournaments/formats/elimination.js';
import { bracketSize, standardOrder } from '../src/tournaments/formats/seeding.js';
import { FormatError, type Entrant, type MatchResult, type MatchView } from '../src/tournaments/formats/types.js';

type Format = (results: MatchResult[]) => EliminationState;
type Decide = (match: MatchView) => MatchResult;

function field(size: number): Entrant[] {
  return Array.from({ length: size }, (_, index) => ({ id: `p${index + 1}`, seed: index + 1 }));
}

function seedOf(id: string): number {
  return Number(id.slice(1));
}

function entrantIds(match: MatchView): string[] {
  return match.slots.flatMap((slot) => (slot.kind === 'entrant' ? [slot.entrantId] : []));
}

function win(matchId: string, winner: 0 | 1): MatchResult {
  return { matchId, winner, score: winner === 0 ? [2, 1] : [1, 2] };
}

/** Random outcomes; `forfeits` adds single forfeits and, when `doubleForfeits`, double forfeits. */
function randomDecider(seed: number, options: { forfeits?: boolean; doubleForfeits?: boolean } = {}): Decide {
  const random = new SeededRandom(seed);
  return (match) => {
    const roll = random.next();
    const side: 0 | 1 = random.next() < 0.5 ? 0 : 1;
    if (options.doubleForfeits && roll < 0.05) return { matchId: match.id, winner: null, score: [0, 0], forfeited: [0, 1] };
    if (options.forfeits && roll < 0.15) {
      return { matchId: match.id, winner: side, score: [0, 0], forfeited: [side === 0 ? 1 : 0] };
    }
    return win(match.id, side);
  };
}

/** The better seed always wins. */
const favouriteWins: Decide = (match) => {
  const [first, second] = entrantIds(match).map(seedOf);
  return win(match.id, (first ?? 0) < (second ?? 0) ? 0 : 1);
};

/** Plays every ready match until the bracket finishes; fails if it stalls. */
function playOut(format: Format, decide: Decide): { state: EliminationState; results: MatchResult[] } {
  const results: MatchResult[] = [];
  let state = format(results);
  while (!state.finished) {
    if (state.ready.length === 0) throw new Error('the bracket is not finished but no match is ready');
    results.push(...state.ready.map(decide));
    state = format(results);
  }
  return { state, results };
}

function isDoubleForfeit(match: MatchView): boolean {
  return match.result?.forfeited?.length === 2;
}

function lossesOf(state: EliminationState): Map<string, number> {
  const losses = new Map<string, number>();
  const addLoss = (id: string): void => void losses.set(id, (losses.get(id) ?? 0) + 1);
  for (const match of state.matches) {
    if (match.result === undefined) continue;
    const ids = entrantIds(match);
    if (isDoubleForfeit(match)) ids.forEach(addLoss);
    else if (match.result.winner !== null) addLoss(ids[match.result.winner === 0 ? 1 : 0] ?? '');
  }
  return losses;
}

function doubleForfeited(state: EliminationState): Set<string> {
  return new Set(state.matches.filter(isDoubleForfeit).flatMap(entrantIds));
}

function placeOf(state: EliminationState): Map<string, number> {
  return new Map(state.placements.map((placement) => [placement.entrantId, placement.place]));
}

function expectEveryonePlaced(state: EliminationState, entrants: Entrant[]): void {
  expect(state.placements.map((p) => p.entrantId).sort()).toEqual(entrants.map((e) => e.id).sort());
  expect(state.placements.filter((p) => p.place === 1).length).toBeLessThanOrEqual(1);
}

function expectOneMatchPerRound(state: EliminationState): void {
  const seen = new Set<string>();
  for (const match of state.matches) {
    for (const id of entrantIds(match)) {
      const key = `${match.bracket}/${match.round}/${id}`;
      if (seen.has(key)) throw new Error(`${id} plays twice in ${match.bracket} round ${match.round}`);
      seen.add(key);
    }
  }
}

function expectSingleEliminationInvariants(state: EliminationState, entrants: Entrant[], thirdPlace: boolean): void {
  const n = entrants.length;
  const size = bracketSize(n);
  const rounds = Math.log2(size);
  const losses = lossesOf(state);
  const champions = entrants.filter((entrant) => (losses.get(entrant.id) ?? 0) === 0);
  const winners = state.matches.filter((match) => match.bracket === 'winners');
  const anyDoubleForfeit = state.matches.some(isDoubleForfeit);

  expect(state.matches.some((m) => m.slots.every((slot) => slot.kind === 'bye')) && !anyDoubleForfeit).toBe(false);
  for (const match of winners.filter((m) => m.round === 1 && m.slots.some((slot) => slot.kind === 'bye'))) {
    const topSeed = entrantIds(match).map(seedOf).every((seed) => seed <= size - n);
    if (!topSeed) throw new Error(`${match.id} gives a bye to a seed below ${size - n}`);
  }
  const topTwoMeet = winners.find((match) => entrantIds(match).map(seedOf).sort().join() === '1,2');
  expect(topTwoMeet === undefined || topTwoMeet.id === `WB-R${rounds}-M1`).toBe(true);
  const thirdPlaceMatches = state.matches.filter((m) => m.id === '3RD').length;
  expect(thirdPlaceMatches).toBe(thirdPlace && n >= 4 ? 1 : 0);
  expectEveryonePlaced(state, entrants);
  if (anyDoubleForfeit) {
    expect(champions.length).toBeLessThanOrEqual(1);
  } else {
    expect(winners.filter((match) => match.result !== undefined).length).toBe(n - 1);
    expect(champions.length).toBe(1);
    expect(placeOf(state).get(champions[0]?.id ?? '')).toBe(1);
  }
  const lossesInWinners = lossesOf({ ...state, matches: winners });
  const wrongLosses = entrants.filter(
    (entrant) => (lossesInWinners.get(entrant.id) ?? 0) !== (champions.includes(entrant) ? 0 : 1),
  );
  expect(wrongLosses).toEqual([]);
}

function expectDoubleEliminationInvariants(state: EliminationState, entrants: Entrant[], mode: GrandFinalMode): void {
  const losses = lossesOf(state);
  const removedByDoubleForfeit = doubleForfeited(state);
  const places = placeOf(state);
  expectEveryonePlaced(state, entrants);
  expectOneMatchPerRound(state);
  const allowedLosses = (id: string): number[] => {
    const place = places.get(id);
    if (removedByDoubleForfeit.has(id)) return [1, 2];
    if (place === 1) return mode === 'none' ? [0] : [0, 1];
    if (place === 2 && mode === 'none') return [1];
    if (place === 2 && mode === 'simple') return [1, 2];
    return [2];
  };
  const wrongLosses = entrants
    .filter((entrant) => !allowedLosses(entrant.id).includes(losses.get(entrant.id) ?? 0))
    .map((entrant) => `${entrant.id}: ${losses.get(entrant.id) ?? 0} losses, place ${places.get(entrant.id)}`);
  expect(wrongLosses).toEqual([]);
  const first = state.matches.find((m) => m.id === 'GF-1');
  const reset = state.matches.find((m) => m.id === 'GF-2');
  expect(first === undefined).toBe(mode === 'none');
  expect(reset === undefined).toBe(mode !== 'double');
  if (reset !== undefined) {
    expect(reset.result !== undefined || reset.slots.some((s) => s.kind === 'bye')).toBe(true);
    const resetPlayed = reset.slots.every((slot) => slot.kind === 'entrant');
    expect(resetPlayed).toBe(first?.result?.winner === 1);
  }
}

describe('seeding', () => {
  it('places seeds in the standard order', () => {
    expect(standardOrder(2)).toEqual([1, 2]);
    expect(standardOrder(4)).toEqual([1, 4, 2, 3]);
    expect(standardOrder(8)).toEqual([1, 8, 4, 5, 2, 7, 3, 6]);
    for (const size of [16, 32, 64]) {
      const order = standardOrder(size);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: size }, (_, i) => i + 1));
      for (let i = 0; i < size; i += 2) expect((order[i] ?? 0) + (order[i + 1] ?? 0)).toBe(size + 1);
      expect(order.indexOf(1) < size / 2).toBe(true);
      expect(order.indexOf(2) >= size / 2).toBe(true);
    }
    expect(() => standardOrder(6)).toThrow(FormatError);
  });

  it('sizes brackets to the next power of two', () => {
    expect([0, 1, 2, 3, 4, 5, 8, 9, 64, 65].map(bracketSize)).toEqual([2, 2, 2, 4, 4, 8, 8, 16, 64, 128]);
  });
});

describe('single elimination', () => {
  it.each([false, true])('holds its invariants for every field size 2..64 (third place: %s)', (thirdPlace) => {
    for (let n = 2; n <= 64; n++) {
      const entrants = field(n);
      const format: Format = (results) => singleElimination({ thirdPlace }, entrants, results);
      const { state } = playOut(format, randomDecider(n * 7919, { forfeits: true }));
      expectSingleEliminationInvariants(state, entrants, thirdPlace);
    }
  });

  it('brings seeds 1 and 2 to the final when the favourites win, with standard places', () => {
    const entrants = field(8);
    const { state } = playOut((results) => singleElimination({}, entrants, results), favouriteWins);
    expect(entrantIds(state.matches.at(-1) as MatchView)).toEqual(['p1', 'p2']);
    expect(state.placements.map((p) => p.place)).toEqual([1, 2, 3, 3, 5, 5, 5, 5]);

    const withThird = playOut((results) => singleElimination({ thirdPlace: true }, entrants, results), favouriteWins);
    expect(withThird.state.placements.slice(0, 4)).toEqual([
      { entrantId: 'p1', place: 1 },
      { entrantId: 'p2', place: 2 },
      { entrantId: 'p3', place: 3 },
      { entrantId: 'p4', place: 4 },
    ]);
  });

  it('completes bye matches by themselves and names matches readably', () => {
    const state = singleElimination({}, field(5), []);
    expect(state.matches.map((m) => `${m.id}:${m.state}`)).toEqual([
      'WB-R1-M1:done',
      'WB-R1-M2:ready',
      'WB-R1-M3:done',
      'WB-R1-M4:done',
      'WB-R2-M1:waiting',
      'WB-R2-M2:ready',
      'WB-R3-M1:waiting',
    ]);
    expect(state.ready.map((m) => entrantIds(m))).toEqual([['p4', 'p5'], ['p2', 'p3']]);
  });

  it('sends a bye on after a double forfeit', () => {
    const entrants = field(4);
    const format: Format = (results) => singleElimination({}, entrants, results);
    const state = format([{ matchId: 'WB-R1-M1', winner: null, score: [0, 0], forfeited: [0, 1] }, win('WB-R1-M2', 0)]);
    const final = state.matches.find((m) => m.id === 'WB-R2-M1');
    expect(final?.state).toBe('done');
    expect(state.finished).toBe(true);
    expect(state.placements).toEqual([
      { entrantId: 'p2', place: 1 },
      { entrantId: 'p1', place: 3 },
      { entrantId: 'p3', place: 3 },
      { entrantId: 'p4', place: 3 },
    ]);
  });
});

describe('double elimination', () => {
  const modes: GrandFinalMode[] = ['none', 'simple', 'double'];

  it.each(modes)('holds its invariants for every field size 2..64 (grand final: %s)', (grandFinal) => {
    for (let n = 2; n <= 64; n++) {
      const entrants = field(n);
      const format: Format = (results) => doubleElimination({ grandFinal }, entrants, results);
      const { state } = playOut(format, randomDecider(n * 104729, { forfeits: true }));
      expectDoubleEliminationInvariants(state, entrants, grandFinal);
    }
  });

  it('plays the bracket reset only when the losers bracket champion wins GF-1', () => {
    const entrants = field(4);
    const format: Format = (results) => doubleElimination({ grandFinal: 'double' }, entrants, results);
    const upToFinal = playOut((results) => {
      const state = format(results);
      return { ...state, finished: state.ready.some((m) => m.id === 'GF-1') };
    }, favouriteWins).results;
    expect(format([...upToFinal, win('GF-1', 0)]).matches.find((m) => m.id === 'GF-2')).toMatchObject({
      state: 'done',
      slots: [{ kind: 'bye' }, { kind: 'bye' }],
    });
    const reset = format([...upToFinal, win('GF-1', 1)]);
    expect(reset.ready.map((m) => m.id)).toEqual(['GF-2']);
    expect(entrantIds(reset.ready[0] as MatchView)).toEqual(['p1', 'p2']);
    const decided = format([...upToFinal, win('GF-1', 1), win('GF-2', 1)]);
    expect(decided.placements.map((p) => `${p.entrantId}:${p.place}`)).toEqual(['p2:1', 'p1:2', 'p3:3', 'p4:4']);
  });

  it('ends without a grand final in mode none: WB champion 1st, LB champion 2nd', () => {
    const entrants = field(8);
    const { state } = playOut((results) => doubleElimination({ grandFinal: 'none' }, entrants, results), favouriteWins);
    expect(state.matches.some((m) => m.bracket === 'grand_final')).toBe(false);
    expect(state.placements.map((p) => `${p.entrantId}:${p.place}`)).toEqual([
      'p1:1',
      'p2:2',
      'p3:3',
      'p4:4',
      'p5:5',
      'p6:5',
      'p7:7',
      'p8:7',
    ]);
  });

  it.each([8, 16, 32])('avoids WB round-1 rematches in the round taking WB round-2 losers (%i entrants)', (n) => {
    for (let seed = 1; seed <= 20; seed++) {
      const entrants = field(n);
      const { state } = playOut(
        (results) => doubleElimination({ grandFinal: 'simple' }, entrants, results),
        randomDecider(seed),
      );
      const pairKey = (match: MatchView): string => entrantIds(match).sort().join('-');
      const firstRound = new Set(state.matches.filter((m) => m.id.startsWith('WB-R1-')).map(pairKey));
      const receivingRound = state.matches.filter((m) => m.id.startsWith('LB-R2-'));
      expect(receivingRound.length).toBe(n / 4);
      for (const match of receivingRound) expect(firstRound.has(pairKey(match))).toBe(false);
    }
  });

  it('drops byes into the losers bracket without stalling', () => {
    const state = doubleElimination({ grandFinal: 'double' }, field(5), []);
    const doneByThemselves = state.matches.filter((m) => m.state === 'done').map((m) => m.id);
    expect(doneByThemselves).toEqual(['WB-R1-M1', 'WB-R1-M3', 'WB-R1-M4', 'LB-R1-M2']);
    expect(state.matches.find((m) => m.id === 'LB-R1-M1')?.slots).toEqual([{ kind: 'bye' }, { kind: 'pending' }]);
  });
});

describe('random brackets', () => {
  it('always finish with their invariants, forfeits and double forfeits included', () => {
    const pick = new SeededRandom(2024);
    for (let seed = 1; seed <= 200; seed++) {
      const n = 2 + Math.floor(pick.next() * 40);
      const entrants = field(n);
      const decide = randomDecider(seed, { forfeits: true, doubleForfeits: true });
      if (seed % 2 === 0) {
        const thirdPlace = seed % 4 === 0;
        const { state } = playOut((results) => singleElimination({ thirdPlace }, entrants, results), decide);
        expectSingleEliminationInvariants(state, entrants, thirdPlace);
      } else {
        const grandFinal = (['none', 'simple', 'double'] as const)[seed % 3] ?? 'simple';
        const { state } = playOut((results) => doubleElimination({ grandFinal }, entrants, results), decide);
        expectDoubleEliminationInvariants(state, entrants, grandFinal);
      }
    }
  });
});

describe('refusals', () => {
  const entrants = field(3);
  const format: Format = (results) => doubleElimination({ grandFinal: 'double' }, entrants, results);

  function codeOf(run: () => unknown): string | undefined {
    try {
      run();
    } catch (error) {
      if (error instanceof FormatError) return error.code;
      throw error;
    }
    return undefined;
  }

  it('refuses invalid results', () => {
    const cases: MatchResult[][] = [
      [win('WB-R2-M1', 0)],
      [win('WB-R9-M1', 0)],
      [win('WB-R1-M1', 0)],
      [{ matchId: 'WB-R1-M2', winner: null, score: [1, 1] }],
      [win('WB-R1-M2', 0), win('WB-R1-M2', 1)],
      [{ matchId: 'WB-R1-M2', winner: 0, score: [0, 0], forfeited: [0] }],
      [{ matchId: 'WB-R1-M2', winner: 0, score: [0, 0], forfeited: [0, 1] }],
      [{ matchId: 'WB-R1-M2', winner: 0, score: [1, 2] }],
    ];
    for (const results of cases) expect(codeOf(() => format(results)), JSON.stringify(results)).toBe('invalid_result');
  });

  it('refuses a result for a skipped bracket reset', () => {
    const entrants4 = field(4);
    const format4: Format = (results) => doubleElimination({ grandFinal: 'double' }, entrants4, results);
    const played = playOut((r) => {
      const state = format4(r);
      return { ...state, finished: state.ready.some((m) => m.id === 'GF-1') };
    }, favouriteWins).results;
    expect(codeOf(() => format4([...played, win('GF-1', 0), win('GF-2', 0)]))).toBe('invalid_result');
  });

  it('refuses invalid entrants and settings', () => {
    expect(codeOf(() => singleElimination({}, field(1), []))).toBe('invalid_entrants');
    expect(codeOf(() => singleElimination({}, [{ id: 'a', seed: 1 }, { id: 'b', seed: 1 }], []))).toBe('invalid_entrants');
    expect(codeOf(() => singleElimination({}, [{ id: 'a', seed: 1 }, { id: 'b', seed: 3 }], []))).toBe('invalid_entrants');
    expect(codeOf(() => singleElimination({}, [{ id: 'a', seed: 1 }, { id: 'a', seed: 2 }], []))).toBe('invalid_entrants');
    const badMode = { grandFinal: 'triple' } as unknown as { grandFinal: GrandFinalMode };
    expect(codeOf(() => doubleElimination(badMode, field(4), []))).toBe('invalid_settings');
  });
});

describe('determinism and speed', () => {
  it('gives the same matches for the same inputs', () => {
    const entrants = field(23);
    const format: Format = (results) => doubleElimination({ grandFinal: 'double' }, entrants, results);
    const { results } = playOut(format, randomDecider(99, { forfeits: true, doubleForfeits: true }));
    expect(format(results)).toEqual(format(results));
    expect(format(results)).toEqual(format([...results].reverse()));
  });

  it('builds and replays a 1,024-entrant double elimination bracket quickly', () => {
    const entrants = field(1024);
    const format: Format = (results) => doubleElimination({ grandFinal: 'double' }, entrants, results);
    const { results } = playOut(format, randomDecider(5));
    const started = performance.now();
    const replayed = format(results);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(replayed.finished).toBe(true);
    expect(replayed.matches.length).toBe(1023 + 1022 + 2);
  });
});
