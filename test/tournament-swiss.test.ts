import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../src/sim/index.js';
import {
  buildPairingProblem,
  pairingWeight,
  swissRound,
  swissStatus,
  type SwissPairingProblem,
  type SwissPairs,
  type SwissSettings,
} from '../src/tournaments/formats/swiss.js';
import { FormatError, type Entrant, type MatchSpec, type MatchView } from '../src/tournaments/formats/types.js';

function field(size: number): Entrant[] {
  return Array.from({ length: size }, (_, index) => ({ id: `e${index + 1}`, seed: index + 1 }));
}

function toPairs(round: MatchSpec[]): SwissPairs {
  return round.map(({ slots: [a, b] }) => {
    if (a.kind !== 'entrant') throw new Error('slot 0 must be an entrant');
    return [a.entrantId, b.kind === 'entrant' ? b.entrantId : null];
  });
}

/** Every legal pairing of the active entrants (null partner = the bye). Only for small fields. */
function* legalPairings(problem: SwissPairingProblem, left: string[] = problem.active): Generator<SwissPairs> {
  const [first, ...rest] = left;
  if (first === undefined) {
    yield [];
    return;
  }
  if (rest.length % 2 === 0 && problem.allowed(first, null)) {
    for (const tail of legalPairings(problem, rest)) yield [[first, null], ...tail];
  }
  for (const partner of rest) {
    if (!problem.allowed(first, partner)) continue;
    for (const tail of legalPairings(problem, rest.filter((id) => id !== partner))) yield [[first, partner], ...tail];
  }
}

function hasLegalPairing(problem: SwissPairingProblem): boolean {
  return !legalPairings(problem).next().done;
}

function playRound(round: MatchSpec[], random: SeededRandom, drawChance: number): MatchView[] {
  return round.map((match) => {
    if (match.slots[1].kind === 'bye') return { ...match, state: 'done' };
    const roll = random.next();
    const winner = roll < drawChance ? null : roll < (1 + drawChance) / 2 ? 0 : 1;
    return { ...match, state: 'done', result: { matchId: match.id, winner, score: winner === null ? [1, 1] : [1, 0] } };
  });
}

interface EventLog {
  rounds: MatchSpec[][];
  endedWith: 'over' | 'no_valid_pairing';
  defects: string[];
  finalStatus: ReturnType<typeof swissStatus>;
}

/** Runs a whole event with pseudo-random results and withdrawals, collecting every rule violation. */
function runEvent(settings: SwissSettings, size: number, seed: number, drawChance: number, withdrawChance: number) {
  const entrants = field(size);
  const random = new SeededRandom(seed);
  const history: MatchView[] = [];
  const withdrawn: string[] = [];
  const log: EventLog = { rounds: [], endedWith: 'over', defects: [], finalStatus: swissStatus(settings, entrants, [], []) };
  const met = new Set<string>();
  const hadBye = new Set<string>();
  for (let guard = 0; guard < 4 * size + 20; guard++) {
    const status = swissStatus(settings, entrants, history, withdrawn);
    log.finalStatus = status;
    if (status.over) return log;
    let round: MatchSpec[];
    try {
      round = swissRound(settings, entrants, history, withdrawn, seed);
    } catch (error) {
      if (!(error instanceof FormatError) || error.code !== 'no_valid_pairing') throw error;
      const problem = buildPairingProblem(settings, entrants, history, withdrawn, seed);
      if (problem.active.length > 14) log.defects.push(`no pairing claimed for ${problem.active.length} entrants`);
      else if (hasLegalPairing(problem)) log.defects.push(`round ${status.roundsPlayed + 1}: a legal pairing existed`);
      log.endedWith = 'no_valid_pairing';
      return log;
    }
    log.rounds.push(round);
    const where = `n=${size} round ${status.roundsPlayed + 1}`;
    const paired = toPairs(round).flat().filter((id): id is string => id !== null);
    if ([...paired].sort().join() !== [...status.active].sort().join()) log.defects.push(`${where}: not each active once`);
    for (const [a, b] of toPairs(round)) {
      if (withdrawn.includes(a) || (b !== null && withdrawn.includes(b))) log.defects.push(`${where}: withdrawn paired`);
      if (b === null) {
        if (status.active.length % 2 === 0) log.defects.push(`${where}: bye with an even field`);
        if (hadBye.has(a)) log.defects.push(`${where}: second bye for ${a}`);
        hadBye.add(a);
      } else {
        const key = [a, b].sort().join('|');
        if (met.has(key)) log.defects.push(`${where}: rematch ${key}`);
        met.add(key);
      }
    }
    history.push(...playRound(round, random, drawChance));
    const stillIn = status.active.filter((id) => !withdrawn.includes(id));
    if (random.next() < withdrawChance && stillIn.length > 0) {
      withdrawn.push(stillIn[Math.floor(random.next() * stillIn.length)] as string);
    }
  }
  log.defects.push('event did not end');
  return log;
}

const modes: [string, (size: number) => SwissSettings][] = [
  ['fixed', (size) => ({ mode: 'fixed', rounds: Math.max(1, Math.min(size - 1, 9)) })],
  ['thresholds 3/3', () => ({ mode: 'thresholds', winsToAdvance: 3, lossesToEliminate: 3 })],
  ['thresholds 2/2', () => ({ mode: 'thresholds', winsToAdvance: 2, lossesToEliminate: 2 })],
];

describe('swissRound', () => {
  it('keeps the hard rules for fields of 2..64 with draws and withdrawals, in every mode', () => {
    for (const [name, settingsFor] of modes) {
      for (let size = 2; size <= 64; size++) {
        const log = runEvent(settingsFor(size), size, 1000 + size, name === 'fixed' ? 0.15 : 0.05, 0.1);
        expect(log.defects, `${name} n=${size}`).toEqual([]);
        if (log.endedWith === 'over' && name !== 'fixed') {
          const { active, advanced, eliminated, withdrawn } = log.finalStatus;
          expect(active).toEqual([]);
          expect(advanced.length + eliminated.length + withdrawn.length).toBe(size);
        }
      }
    }
  });

  it('is deterministic for a given seed', () => {
    const settings: SwissSettings = { mode: 'fixed', rounds: 7 };
    expect(runEvent(settings, 37, 5, 0.2, 0.2)).toEqual(runEvent(settings, 37, 5, 0.2, 0.2));
  });

  it('pairs round 1 top half against bottom half, the bye to the lowest seed', () => {
    const even = swissRound({ mode: 'fixed', rounds: 3 }, field(8), [], [], 1);
    expect(toPairs(even)).toEqual([['e1', 'e5'], ['e2', 'e6'], ['e3', 'e7'], ['e4', 'e8']]);
    expect(even.map((match) => match.id)).toEqual(['SW-R1-M1', 'SW-R1-M2', 'SW-R1-M3', 'SW-R1-M4']);
    const odd = swissRound({ mode: 'fixed', rounds: 3 }, field(7), [], [], 1);
    expect(toPairs(odd)).toEqual([['e1', 'e4'], ['e2', 'e5'], ['e3', 'e6'], ['e7', null]]);
  });

  it('finds the best pairing by weight, as brute force does, on small fields', () => {
    for (let size = 2; size <= 8; size++) {
      for (let history = 0; history < 6; history++) {
        const settings: SwissSettings = { mode: 'fixed', rounds: size - 1 };
        const entrants = field(size);
        const random = new SeededRandom(97 * size + history);
        const past: MatchView[] = [];
        const withdrawn: string[] = [];
        for (let round = 1; round < size; round++) {
          const seed = history * 31 + round;
          const problem = buildPairingProblem(settings, entrants, past, withdrawn, seed);
          let best = -Infinity;
          for (const pairing of legalPairings(problem)) best = Math.max(best, pairingWeight(problem, pairing));
          if (best === -Infinity) break;
          const chosen = swissRound(settings, entrants, past, withdrawn, seed);
          expect(pairingWeight(problem, toPairs(chosen)), `n=${size} history ${history} round ${round}`).toBe(best);
          past.push(...playRound(chosen, random, 0.2));
          if (random.next() < 0.15) withdrawn.push(`e${1 + Math.floor(random.next() * size)}`);
        }
      }
    }
  });

  it('refuses a round that would need a rematch', () => {
    const settings: SwissSettings = { mode: 'fixed', rounds: 4 };
    const entrants = field(4);
    const history: MatchView[] = [];
    const random = new SeededRandom(3);
    for (let round = 1; round <= 3; round++) {
      history.push(...playRound(swissRound(settings, entrants, history, [], 9), random, 0));
    }
    expect(() => swissRound(settings, entrants, history, [], 9)).toThrow(
      expect.objectContaining({ code: 'no_valid_pairing' }),
    );
  });

  it('gives no second bye and no bye after a forfeit win', () => {
    const settings: SwissSettings = { mode: 'fixed', rounds: 3 };
    const entrants = field(3);
    const history: MatchView[] = [
      { id: 'SW-R1-M1', round: 1, bracket: 'swiss', state: 'done',
        slots: [{ kind: 'entrant', entrantId: 'e1' }, { kind: 'entrant', entrantId: 'e2' }],
        result: { matchId: 'SW-R1-M1', winner: 0, score: [1, 0], forfeited: [1] } },
      { id: 'SW-R1-M2', round: 1, bracket: 'swiss', state: 'done',
        slots: [{ kind: 'entrant', entrantId: 'e3' }, { kind: 'bye' }] },
    ];
    // e1 won by forfeit and e3 had the bye, so only e2 may sit out.
    expect(toPairs(swissRound(settings, entrants, history, [], 1))).toEqual([['e1', 'e3'], ['e2', null]]);
  });

  it('runs a 16-team 3/3 event to 8 advanced and 8 eliminated', () => {
    const log = runEvent({ mode: 'thresholds', winsToAdvance: 3, lossesToEliminate: 3 }, 16, 11, 0, 0);
    expect(log.defects).toEqual([]);
    expect(log.finalStatus.advanced).toHaveLength(8);
    expect(log.finalStatus.eliminated).toHaveLength(8);
    expect(log.rounds).toHaveLength(5);
  });

  it('pairs 200 entrants quickly', () => {
    const started = performance.now();
    const log = runEvent({ mode: 'fixed', rounds: 3 }, 200, 8, 0.1, 0.3);
    expect(log.defects).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
