/**
 * Tournament format benchmark: bracket generation plus a full replay of results for large single- and
 * double-elimination fields, and Swiss pairing round by round for a large field.
 *
 *   npx tsx bench/tournaments.ts [--bracket 1024] [--swiss 1000] [--rounds 9] [--runs 3] [--seed 1]
 *
 * Results are decided by a seeded coin (the better seed wins 70 % of the time), so every run is the same work.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SeededRandom } from '../src/sim/index.js';
import {
  doubleElimination,
  singleElimination,
  swissRound,
  swissStatus,
  type EliminationState,
  type Entrant,
  type MatchResult,
  type MatchSpec,
  type MatchView,
  type SwissSettings,
} from '../src/tournaments/index.js';

const { values } = parseArgs({
  options: {
    bracket: { type: 'string', default: '1024' },
    swiss: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '9' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
  },
});
const bracketSize = Number(values.bracket);
const swissSize = Number(values.swiss);
const rounds = Number(values.rounds);
const runs = Number(values.runs);
const seed = Number(values.seed);

const entrants = (n: number): Entrant[] => Array.from({ length: n }, (_, i) => ({ id: `p${i + 1}`, seed: i + 1 }));
const seedOf = (id: string) => Number(id.slice(1));

/** The winner of a match between two entrants: the better seed 70 % of the time. */
function decide(random: SeededRandom, match: MatchSpec): MatchResult {
  const [a, b] = match.slots.map((slot) => (slot.kind === 'entrant' ? seedOf(slot.entrantId) : Infinity)) as [number, number];
  const favourite: 0 | 1 = a < b ? 0 : 1;
  const winner: 0 | 1 = random.next() < 0.7 ? favourite : favourite === 0 ? 1 : 0;
  return { matchId: match.id, winner, score: winner === 0 ? [1, 0] : [0, 1] };
}

/** Plays a bracket to its end, one ready match at a time, recomputing the bracket after each result. */
function playBracket(run: (results: MatchResult[]) => EliminationState): { ms: number; matches: number; calls: number } {
  const random = new SeededRandom(seed);
  const results: MatchResult[] = [];
  const started = performance.now();
  let state = run(results);
  let calls = 1;
  while (!state.finished) {
    // A whole round's ready matches are reported before the next call, as a live event reports them.
    for (const match of state.ready) results.push(decide(random, match));
    state = run(results);
    calls++;
  }
  return { ms: performance.now() - started, matches: state.matches.length, calls };
}

function playSwiss(settings: SwissSettings): { perRoundMs: number[]; status: string } {
  const field = entrants(swissSize);
  const random = new SeededRandom(seed);
  const history: MatchView[] = [];
  const perRoundMs: number[] = [];
  while (!swissStatus(settings, field, history, []).over) {
    const started = performance.now();
    const round = swissRound(settings, field, history, [], seed);
    perRoundMs.push(performance.now() - started);
    for (const match of round) {
      const bye = match.slots[1].kind === 'bye';
      history.push({ ...match, state: 'done', result: bye ? { matchId: match.id, winner: 0, score: [1, 0] } : decide(random, match) });
    }
  }
  return { perRoundMs, status: `${perRoundMs.length} rounds` };
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

console.log(`node ${process.version}; ${runs} runs each (median shown)`);
for (const [name, run] of [
  ['single elimination', (results: MatchResult[]) => singleElimination({ thirdPlace: true }, entrants(bracketSize), results)],
  ['double elimination', (results: MatchResult[]) => doubleElimination({ grandFinal: 'double' }, entrants(bracketSize), results)],
] as const) {
  const samples = Array.from({ length: runs }, () => playBracket(run));
  const generation = Array.from({ length: runs }, () => {
    const started = performance.now();
    run([]);
    return performance.now() - started;
  });
  const { matches, calls } = samples[0]!;
  console.log(
    `${name}, ${bracketSize} entrants: generate ${fmt(median(generation))}; play to the end ${fmt(median(samples.map((s) => s.ms)))} ` +
      `(${matches} matches, ${calls} recomputations, ${fmt(median(samples.map((s) => s.ms)) / calls)} each)`,
  );
}
for (const settings of [{ mode: 'fixed', rounds } as const, { mode: 'thresholds', winsToAdvance: 3, lossesToEliminate: 3 } as const]) {
  const samples = Array.from({ length: runs }, () => playSwiss(settings));
  const worst = samples.map((s) => Math.max(...s.perRoundMs));
  const mean = samples.map((s) => s.perRoundMs.reduce((sum, ms) => sum + ms, 0) / s.perRoundMs.length);
  const label = settings.mode === 'fixed' ? `${rounds} fixed rounds` : '3 wins / 3 losses';
  console.log(`swiss (${label}), ${swissSize} entrants: ${samples[0]!.status}; per round mean ${fmt(median(mean))}, slowest ${fmt(median(worst))}`);
}
