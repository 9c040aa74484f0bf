/**
 * Swiss pairing as a maximum-weight, maximum-cardinality matching over the pairs that are allowed to meet.
 *
 * Hard rules (edges that do not exist): no rematch, at most one bye per entrant over the event (an entrant who had
 * a bye or a forfeit win gets no other), withdrawn entrants and — in thresholds mode — advanced or eliminated
 * entrants are not paired. With an odd active count a phantom "bye" vertex joins the graph. If no perfect matching
 * exists the round cannot be paired and `no_valid_pairing` is thrown; nothing is relaxed silently.
 *
 * Preferences (integer weights, in strict priority order):
 *  1. Float by as little as possible: a pair costs d² where d is the distance between the two score groups
 *     (ranks of the distinct scores of active entrants; the bye counts as a group below the lowest), so one long
 *     float costs more than two short ones, as in the Dutch system.
 *  2. Float as few pairs as possible among pairings with the same total of d².
 *  3. Dutch-like seed order: inside a score group of size m (ordered by seed), position i meets i + ⌊m/2⌋ — the top
 *     half plays the bottom half, so round 1 is 1 v n/2+1, 2 v n/2+2, …; a floater meets the nearest entrant across
 *     the group boundary; the bye goes to the lowest-ranked eligible entrant.
 *  Any remaining tie is decided by the vertex order, a shuffle drawn from `seed`.
 *
 * Fields above 128 active entrants are paired in consecutive blocks of the ranking (see `pairByBlocks`), which is
 * optimal within each block but not necessarily overall; the whole field is paired in one matching when some block
 * has no perfect matching, so feasibility never depends on the blocks.
 */
import { createRequire } from 'node:module';
import { SeededRandom } from '../../sim/index.js';
import { DEFAULT_POINTS, FormatError, type Entrant, type MatchSpec, type MatchView, type PointsTable } from './types.js';

export type SwissSettings = (
  | { mode: 'fixed'; rounds: number }
  | { mode: 'thresholds'; winsToAdvance: number; lossesToEliminate: number }
) & { points?: PointsTable };

export interface SwissStatus {
  over: boolean;
  /** Rounds found in the history. */
  roundsPlayed: number;
  /** Entrants still to be paired, best standing first. */
  active: string[];
  /** Thresholds mode only: reached `winsToAdvance` / `lossesToEliminate`. */
  advanced: string[];
  eliminated: string[];
  withdrawn: string[];
}

/** Everything the pairing optimises, exposed so that a pairing can be checked against alternatives. */
export interface SwissPairingProblem {
  /** Active entrants in vertex order (the seeded shuffle). */
  active: string[];
  /** Active entrants by standing: score, then seed. */
  ranking: string[];
  /** Whether one active entrant gets the bye this round. */
  needsBye: boolean;
  /** Whether two entrants (or an entrant and the bye, `null`) may be paired. */
  allowed(a: string, b: string | null): boolean;
  /** Weight of an allowed pair; the pairing maximises the sum. */
  weight(a: string, b: string | null): number;
}

/** A pairing: each active entrant once, with an opponent or `null` for the bye. */
export type SwissPairs = [string, string | null][];

type MaxWeightMatching = (edges: [number, number, number][], maxCardinality: boolean) => number[];
const maxWeightMatching = createRequire(import.meta.url)('edmonds-blossom-fixed') as MaxWeightMatching;

interface EntrantRecord {
  entrant: Entrant;
  points: number;
  /** Wins count byes; losses count forfeits. */
  wins: number;
  losses: number;
  opponents: Set<string>;
  /** Had a bye or a forfeit win, so cannot get a bye. */
  byeUsed: boolean;
}

interface Standing {
  id: string;
  record: EntrantRecord;
  /** Index of the score group, 0 = highest score. */
  group: number;
  /** Position inside the score group by seed, and the group's size. */
  position: number;
  groupSize: number;
  /** Position in the whole ranking (score, then seed). */
  rank: number;
}

/**
 * Fields above twice this size are paired block by block along the ranking: the matching is cubic in the number
 * of vertices, and optimal Swiss pairings join near neighbours in the ranking anyway.
 */
const BLOCK_SIZE = 64;

export function swissRound(
  settings: SwissSettings,
  entrants: Entrant[],
  history: MatchView[],
  withdrawn: string[],
  seed: number,
): MatchSpec[] {
  const status = swissStatus(settings, entrants, history, withdrawn);
  if (status.over) throw new FormatError('invalid_settings', 'the Swiss event is over; no further round to pair');
  const problem = buildPairingProblem(settings, entrants, history, withdrawn, seed);
  return toMatches(status.roundsPlayed + 1, pairActive(problem), problem);
}

export function swissStatus(
  settings: SwissSettings,
  entrants: Entrant[],
  history: MatchView[],
  withdrawn: string[],
): SwissStatus {
  validateSettings(settings);
  const records = buildRecords(entrants, history, settings.points ?? DEFAULT_POINTS);
  const gone = new Set(withdrawn);
  const ranked = [...records.values()].sort(byStanding);
  const advanced: string[] = [];
  const eliminated: string[] = [];
  const active: string[] = [];
  for (const record of ranked) {
    const id = record.entrant.id;
    if (gone.has(id)) continue;
    if (settings.mode === 'thresholds' && record.wins >= settings.winsToAdvance) advanced.push(id);
    else if (settings.mode === 'thresholds' && record.losses >= settings.lossesToEliminate) eliminated.push(id);
    else active.push(id);
  }
  const roundsPlayed = history.reduce((max, match) => Math.max(max, match.round), 0);
  const roundsDone = settings.mode === 'fixed' && roundsPlayed >= settings.rounds;
  return {
    over: roundsDone || active.length === 0,
    roundsPlayed,
    active,
    advanced,
    eliminated,
    withdrawn: ranked.map((record) => record.entrant.id).filter((id) => gone.has(id)),
  };
}

/** The graph and weights the next round is paired on; `swissRound` maximises `pairingWeight` over it. */
export function buildPairingProblem(
  settings: SwissSettings,
  entrants: Entrant[],
  history: MatchView[],
  withdrawn: string[],
  seed: number,
): SwissPairingProblem {
  const status = swissStatus(settings, entrants, history, withdrawn);
  const records = buildRecords(entrants, history, settings.points ?? DEFAULT_POINTS);
  const standings = rankActive(status.active.map((id) => records.get(id) as EntrantRecord));
  const byId = new Map(standings.map((standing) => [standing.id, standing]));
  const needsBye = standings.length % 2 === 1;
  const byeGroup = (standings.at(-1)?.group ?? 0) + 1;
  const pairCount = Math.ceil(standings.length / 2);
  // Each tier must outweigh the whole sum of the tiers below it.
  const floatCountUnit = standings.length + 1;
  const floatDistanceUnit = pairCount + 1;
  const floatUnit = pairCount * floatCountUnit + 1;
  const maxCost = (byeGroup * byeGroup * floatDistanceUnit + 1) * floatUnit;
  if (!Number.isSafeInteger(4 * maxCost)) {
    throw new FormatError('invalid_settings', 'too many entrants or score groups for exact integer weights');
  }
  const lookup = (id: string): Standing => {
    const standing = byId.get(id);
    if (!standing) throw new FormatError('invalid_entrants', `${id} is not an active entrant`);
    return standing;
  };
  return {
    active: seededShuffle(status.active, seed),
    ranking: status.active,
    needsBye,
    allowed: (a, b) => {
      const first = lookup(a);
      if (b === null) return needsBye && !first.record.byeUsed;
      return a !== b && !first.record.opponents.has(lookup(b).id);
    },
    weight: (a, b) => {
      const first = lookup(a);
      const second = b === null ? null : lookup(b);
      const distance = second ? Math.abs(first.group - second.group) : byeGroup - first.group;
      const floatCost = distance * distance * floatDistanceUnit + (distance > 0 ? 1 : 0);
      const seedCost = second ? seedDistance(first, second) : standings.length - 1 - first.rank;
      return maxCost + 1 - floatCost * floatUnit - seedCost;
    },
  };
}

/** Total weight of a pairing under a problem's weight function. */
export function pairingWeight(problem: SwissPairingProblem, pairs: SwissPairs): number {
  return pairs.reduce((sum, [a, b]) => sum + problem.weight(a, b), 0);
}

function validateSettings(settings: SwissSettings): void {
  const limits = settings.mode === 'fixed' ? [settings.rounds] : [settings.winsToAdvance, settings.lossesToEliminate];
  if (!limits.every((limit) => Number.isInteger(limit) && limit >= 1)) {
    throw new FormatError('invalid_settings', 'Swiss round and threshold limits must be positive integers');
  }
  const points = settings.points ?? DEFAULT_POINTS;
  if (![points.win, points.draw, points.loss, points.bye].every(Number.isFinite)) {
    throw new FormatError('invalid_settings', 'Swiss points must be finite numbers');
  }
}

function buildRecords(entrants: Entrant[], history: MatchView[], points: PointsTable): Map<string, EntrantRecord> {
  const records = new Map<string, EntrantRecord>();
  for (const entrant of entrants) {
    if (records.has(entrant.id)) throw new FormatError('invalid_entrants', `duplicate entrant ${entrant.id}`);
    records.set(entrant.id, { entrant, points: 0, wins: 0, losses: 0, opponents: new Set(), byeUsed: false });
  }
  const recordOf = (matchId: string, id: string): EntrantRecord => {
    const record = records.get(id);
    if (!record) throw new FormatError('invalid_result', `match ${matchId} names unknown entrant ${id}`);
    return record;
  };
  for (const match of history) {
    const sides = match.slots.map((slot) => (slot.kind === 'entrant' ? recordOf(match.id, slot.entrantId) : null));
    const [first, second] = sides;
    if (first && second) applyGame(match, first, second, points);
    else if (first || second) applyBye((first ?? second) as EntrantRecord, points);
  }
  return records;
}

function applyBye(record: EntrantRecord, points: PointsTable): void {
  record.points += points.bye;
  record.wins += 1;
  record.byeUsed = true;
}

function applyGame(match: MatchView, first: EntrantRecord, second: EntrantRecord, points: PointsTable): void {
  const result = match.result;
  if (!result) throw new FormatError('invalid_result', `match ${match.id} of an earlier round has no result`);
  const forfeited = result.forfeited ?? [];
  [first, second].forEach((record, slot) => {
    const opponent = slot === 0 ? second : first;
    record.opponents.add(opponent.entrant.id);
    if (result.winner === slot) {
      record.points += points.win;
      record.wins += 1;
      if (forfeited.includes(slot === 0 ? 1 : 0)) record.byeUsed = true;
    } else if (result.winner !== null || forfeited.includes(slot as 0 | 1)) {
      record.points += points.loss;
      record.losses += 1;
    } else {
      record.points += points.draw;
    }
  });
}

function byStanding(a: EntrantRecord, b: EntrantRecord): number {
  return b.points - a.points || a.entrant.seed - b.entrant.seed || (a.entrant.id < b.entrant.id ? -1 : 1);
}

function rankActive(records: EntrantRecord[]): Standing[] {
  const ranked = [...records].sort(byStanding);
  const groupSizes = new Map<number, number>();
  for (const record of ranked) groupSizes.set(record.points, (groupSizes.get(record.points) ?? 0) + 1);
  const groupIndex = new Map([...groupSizes.keys()].map((score, index) => [score, index]));
  const seenInGroup = new Map<number, number>();
  return ranked.map((record, rank) => {
    const position = seenInGroup.get(record.points) ?? 0;
    seenInGroup.set(record.points, position + 1);
    return {
      id: record.entrant.id,
      record,
      group: groupIndex.get(record.points) ?? 0,
      position,
      groupSize: groupSizes.get(record.points) ?? 1,
      rank,
    };
  });
}

/** How far a pair is from the Dutch ideal: i v i+⌊m/2⌋ inside a group, adjacent across a group boundary. */
function seedDistance(a: Standing, b: Standing): number {
  if (a.group !== b.group) return Math.abs(a.rank - b.rank) - 1;
  return Math.abs(Math.abs(a.position - b.position) - Math.floor(a.groupSize / 2));
}

/** Fisher–Yates with the seeded generator, so equal-weight alternatives are chosen reproducibly. */
function seededShuffle<T>(items: T[], seed: number): T[] {
  const random = new SeededRandom(seed);
  const shuffled = [...items];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as T, shuffled[i] as T];
  }
  return shuffled;
}

function pairActive(problem: SwissPairingProblem): SwissPairs {
  if (problem.active.length > 2 * BLOCK_SIZE) {
    const byBlocks = pairByBlocks(problem);
    if (byBlocks) return byBlocks;
  }
  const whole = matchVertices(problem, problem.active, problem.needsBye ? 'bye' : null);
  if (!whole) throw new FormatError('no_valid_pairing', 'no pairing avoids rematches and repeated byes');
  return whole.pairs;
}

/**
 * Pairs consecutive blocks of the ranking one after another. An odd block hands one entrant (preferably its
 * lowest-ranked one, by the bye weights) down to the next block, the way a floater drops to the next bracket; the
 * last block holds the bye. Returns null when some block has no perfect matching.
 */
function pairByBlocks(problem: SwissPairingProblem): SwissPairs | null {
  const pairs: SwissPairs = [];
  let carried: string[] = [];
  for (let start = 0; start < problem.ranking.length; start += BLOCK_SIZE) {
    const isLast = start + 2 * BLOCK_SIZE > problem.ranking.length;
    const members = [...carried, ...problem.ranking.slice(start, isLast ? undefined : start + BLOCK_SIZE)];
    const phantom = members.length % 2 === 0 ? null : isLast ? 'bye' : 'carry';
    const block = matchVertices(problem, inVertexOrder(problem, members), phantom);
    if (!block) return null;
    pairs.push(...block.pairs);
    carried = block.carried === null ? [] : [block.carried];
    if (isLast) break;
  }
  return pairs;
}

function inVertexOrder(problem: SwissPairingProblem, ids: string[]): string[] {
  const wanted = new Set(ids);
  return problem.active.filter((id) => wanted.has(id));
}

/**
 * Maximum-weight matching on the complete graph of `ids` (minus forbidden pairs) plus an optional phantom vertex:
 * the bye (only eligible entrants may take it) or a carry to the next block (anyone may). Null unless everybody is
 * matched.
 */
function matchVertices(
  problem: SwissPairingProblem,
  ids: string[],
  phantom: 'bye' | 'carry' | null,
): { pairs: SwissPairs; carried: string | null } | null {
  const phantomVertex = phantom === null ? -1 : ids.length;
  const edges: [number, number, number][] = [];
  ids.forEach((a, i) => {
    for (let j = i + 1; j < ids.length; j++) {
      const b = ids[j] as string;
      if (problem.allowed(a, b)) edges.push([i, j, problem.weight(a, b)]);
    }
    if (phantom === 'carry' || (phantom === 'bye' && problem.allowed(a, null))) {
      edges.push([i, phantomVertex, problem.weight(a, null)]);
    }
  });
  const mate = maxWeightMatching(edges, true);
  const pairs: SwissPairs = [];
  let carried: string | null = null;
  for (let vertex = 0; vertex < ids.length; vertex++) {
    const partner = mate[vertex] ?? -1;
    const id = ids[vertex] as string;
    if (partner < 0) return null;
    if (partner === phantomVertex && phantom === 'carry') carried = id;
    else if (partner === phantomVertex) pairs.push([id, null]);
    else if (partner > vertex) pairs.push([id, ids[partner] as string]);
  }
  return { pairs, carried };
}

/** Boards ordered by the higher-ranked entrant; the higher-ranked entrant takes slot 0; the bye comes last. */
function toMatches(round: number, pairs: SwissPairs, problem: SwissPairingProblem): MatchSpec[] {
  const rankOf = new Map(problem.ranking.map((id, rank) => [id, rank]));
  const higherFirst = pairs.map(([a, b]): [string, string | null] =>
    b !== null && (rankOf.get(b) ?? 0) < (rankOf.get(a) ?? 0) ? [b, a] : [a, b]);
  higherFirst.sort(([a, b], [c, d]) => Number(b === null) - Number(d === null) || (rankOf.get(a) ?? 0) - (rankOf.get(c) ?? 0));
  return higherFirst.map(([a, b], index) => ({
    id: `SW-R${round}-M${index + 1}`,
    round,
    bracket: 'swiss',
    slots: [{ kind: 'entrant', entrantId: a }, b === null ? { kind: 'bye' } : { kind: 'entrant', entrantId: b }],
  }));
}
