/**
 * Standings for round-robin and Swiss stages: points, then an ordered tie-break chain (FIDE style).
 *
 * Rules for games that were not played over the board:
 * - A bye (a match with a `bye` slot) scores `points.bye`, counts in `byes` (not in `wins` or `played`) and has
 *   no opponent, so it adds nothing to Buchholz or Sonneborn-Berger. Buchholz cut-1 cuts the bye first (FIDE's
 *   "cut unplayed first"), which leaves Buchholz unchanged.
 * - A forfeit is a result like any other: the winner takes a win with its points, the forfeiter a loss, and each
 *   still counts the other as an opponent for Buchholz and Sonneborn-Berger. A double forfeit is a loss for both.
 *
 * Head-to-head with 3+ entrants: a mini-table over the whole tied group (points scored in the matches between its
 * members only); if that splits the group, every sub-group still level plays its own mini-table again, and only a
 * mini-table that splits nobody hands over to the next tie-break.
 *
 * Every figure is computed from counts or from sorted sums, so the order of the matches never changes a result.
 */
import {
  DEFAULT_POINTS,
  FormatError,
  type Entrant,
  type MatchResult,
  type MatchView,
  type PointsTable,
} from './types.js';

export type TieBreak = 'head_to_head' | 'buchholz' | 'buchholz_cut1' | 'sonneborn_berger' | 'wins' | 'seed';

export const DEFAULT_TIE_BREAKS: readonly TieBreak[] = Object.freeze([
  'head_to_head',
  'buchholz',
  'buchholz_cut1',
  'sonneborn_berger',
  'wins',
  'seed',
]);

export interface Standing {
  entrantId: string;
  /** 1-based; entrants still level after the whole chain share a rank (1, 2, 2, 4). */
  rank: number;
  points: number;
  wins: number;
  draws: number;
  losses: number;
  byes: number;
  /** Games against an opponent, forfeits included; byes are not games. */
  played: number;
  /**
   * Every tie-break's figure, whether or not it is in the chain. `head_to_head` is the points scored against the
   * entrants level on points; when it follows other tie-breaks or re-applies to a sub-group, the deciding
   * mini-table is over that narrower group. `seed` is the entrant's seed (lower is better).
   */
  tieBreaks: Record<TieBreak, number>;
}

export interface StandingsOptions {
  /** Defaults to 1-½-0 with a bye worth a win (`DEFAULT_POINTS`). */
  points?: PointsTable;
  /** Applied in order after points; defaults to `DEFAULT_TIE_BREAKS`. Leave `seed` out to let ranks be shared. */
  tieBreaks?: readonly TieBreak[];
}

type Outcome = 'win' | 'draw' | 'loss';

interface Game {
  opponentId: string;
  outcome: Outcome;
}

interface Tally {
  entrant: Entrant;
  games: Game[];
  byes: number;
}

interface Row {
  standing: Standing;
  games: Game[];
}

type Criterion = 'points' | TieBreak;

export function standings(
  entrants: readonly Entrant[],
  matches: readonly MatchView[],
  options: StandingsOptions = {},
): Standing[] {
  const points = options.points ?? DEFAULT_POINTS;
  const chain = options.tieBreaks ?? DEFAULT_TIE_BREAKS;
  validatePoints(points);
  validateChain(chain);
  validateEntrants(entrants);

  const tallies = tallyMatches(entrants, matches);
  const rows = scoreRows(tallies, points);
  const blocks = rankBlocks(rows, ['points', ...chain], 0, points);
  return assignRanks(blocks);
}

function validatePoints(points: PointsTable): void {
  const values = [points.win, points.draw, points.loss, points.bye];
  if (!values.every(Number.isFinite) || points.win <= 0) {
    throw new FormatError('invalid_settings', 'points must be finite numbers with a positive win');
  }
}

function validateChain(chain: readonly TieBreak[]): void {
  const unknown = chain.find((tieBreak) => !DEFAULT_TIE_BREAKS.includes(tieBreak));
  if (unknown !== undefined) throw new FormatError('invalid_settings', `unknown tie-break: ${String(unknown)}`);
}

function validateEntrants(entrants: readonly Entrant[]): void {
  if (new Set(entrants.map((entrant) => entrant.id)).size !== entrants.length) {
    throw new FormatError('invalid_entrants', 'entrant ids must be unique');
  }
  // Seed is the last resort of the chain, so equal seeds would leave the order undecided.
  if (new Set(entrants.map((entrant) => entrant.seed)).size !== entrants.length) {
    throw new FormatError('invalid_entrants', 'entrant seeds must be unique');
  }
}

/** Collects each entrant's games and byes; undecided matches and empty slots are skipped. */
function tallyMatches(entrants: readonly Entrant[], matches: readonly MatchView[]): Map<string, Tally> {
  const tallies = new Map<string, Tally>(entrants.map((entrant) => [entrant.id, { entrant, games: [], byes: 0 }]));
  const tallyOf = (match: MatchView, entrantId: string): Tally => {
    const tally = tallies.get(entrantId);
    if (!tally) throw new FormatError('invalid_result', `match ${match.id} names an unknown entrant ${entrantId}`);
    return tally;
  };

  for (const match of matches) {
    const [first, second] = match.slots;
    if (first.kind === 'entrant' && second.kind === 'bye') tallyOf(match, first.entrantId).byes += 1;
    else if (first.kind === 'bye' && second.kind === 'entrant') tallyOf(match, second.entrantId).byes += 1;
    else if (first.kind === 'entrant' && second.kind === 'entrant' && match.result) {
      if (first.entrantId === second.entrantId) {
        throw new FormatError('invalid_result', `match ${match.id} pits an entrant against itself`);
      }
      const [firstOutcome, secondOutcome] = outcomesOf(match.id, match.result);
      tallyOf(match, first.entrantId).games.push({ opponentId: second.entrantId, outcome: firstOutcome });
      tallyOf(match, second.entrantId).games.push({ opponentId: first.entrantId, outcome: secondOutcome });
    }
  }
  return tallies;
}

function outcomesOf(matchId: string, result: MatchResult): [Outcome, Outcome] {
  const forfeited = new Set(result.forfeited ?? []);
  if (result.winner === null) {
    if (forfeited.size === 1) {
      throw new FormatError('invalid_result', `match ${matchId}: a single forfeit needs a winner`);
    }
    return forfeited.size === 2 ? ['loss', 'loss'] : ['draw', 'draw'];
  }
  if (forfeited.has(result.winner)) throw new FormatError('invalid_result', `match ${matchId}: the winner forfeited`);
  return result.winner === 0 ? ['win', 'loss'] : ['loss', 'win'];
}

function scoreRows(tallies: Map<string, Tally>, points: PointsTable): Row[] {
  const pointsById = new Map<string, number>();
  for (const [id, tally] of tallies) pointsById.set(id, gamePoints(tally.games, points) + tally.byes * points.bye);
  const pointsOf = (id: string): number => pointsById.get(id) ?? 0;
  const drawRatio = points.draw / points.win;

  return [...tallies.values()].map(({ entrant, games, byes }) => {
    const opponentPoints = games.map((game) => pointsOf(game.opponentId));
    const pointsAgainst = (outcome: Outcome): number[] =>
      games.filter((game) => game.outcome === outcome).map((game) => pointsOf(game.opponentId));
    const buchholz = sumSorted(opponentPoints);
    // Cut-1 drops an unplayed game first, and a bye has no opponent score to drop.
    const lowestOpponent = byes > 0 ? 0 : (sorted(opponentPoints)[0] ?? 0);
    const levelOnPoints = new Set([...tallies.keys()].filter((id) => pointsOf(id) === pointsOf(entrant.id)));
    const wins = countOutcome(games, 'win');
    const standing: Standing = {
      entrantId: entrant.id,
      rank: 0,
      points: pointsOf(entrant.id),
      wins,
      draws: countOutcome(games, 'draw'),
      losses: countOutcome(games, 'loss'),
      byes,
      played: games.length,
      tieBreaks: {
        head_to_head: miniTablePoints(games, levelOnPoints, points),
        buchholz,
        buchholz_cut1: buchholz - lowestOpponent,
        sonneborn_berger: sumSorted(pointsAgainst('win')) + sumSorted(pointsAgainst('draw')) * drawRatio,
        wins,
        seed: entrant.seed,
      },
    };
    return { standing, games };
  });
}

/** Points from counts rather than a running sum, so fractional tables give the same figure in any match order. */
function gamePoints(games: readonly Game[], points: PointsTable): number {
  return (
    countOutcome(games, 'win') * points.win +
    countOutcome(games, 'draw') * points.draw +
    countOutcome(games, 'loss') * points.loss
  );
}

function miniTablePoints(games: readonly Game[], group: ReadonlySet<string>, points: PointsTable): number {
  return gamePoints(games.filter((game) => group.has(game.opponentId)), points);
}

function countOutcome(games: readonly Game[], outcome: Outcome): number {
  return games.filter((game) => game.outcome === outcome).length;
}

const add = (total: number, value: number): number => total + value;

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function sumSorted(values: readonly number[]): number {
  return sorted(values).reduce(add, 0);
}

/**
 * Orders rows into blocks of entrants still level, best first: each criterion splits a block by its value, and
 * each part goes on to the next criterion. A head-to-head split instead re-applies head-to-head to each part,
 * since a smaller group has a different mini-table.
 */
function rankBlocks(rows: Row[], chain: readonly Criterion[], step: number, points: PointsTable): Row[][] {
  const criterion = chain[step];
  if (rows.length === 1 || criterion === undefined) return [rows];
  const group = new Set(rows.map((row) => row.standing.entrantId));
  const parts = partitionDescending(rows, (row) => criterionValue(criterion, row, group, points));
  const nextStep = criterion === 'head_to_head' && parts.length > 1 ? step : step + 1;
  return parts.flatMap((part) => rankBlocks(part, chain, nextStep, points));
}

/** Higher is better for every criterion. */
function criterionValue(criterion: Criterion, row: Row, group: ReadonlySet<string>, points: PointsTable): number {
  switch (criterion) {
    case 'points':
      return row.standing.points;
    case 'head_to_head':
      return miniTablePoints(row.games, group, points);
    case 'seed':
      return -row.standing.tieBreaks.seed;
    default:
      return row.standing.tieBreaks[criterion];
  }
}

function partitionDescending(rows: readonly Row[], valueOf: (row: Row) => number): Row[][] {
  const scored = rows.map((row) => ({ row, value: valueOf(row) })).sort((a, b) => b.value - a.value);
  const parts: Row[][] = [];
  let previous: number | undefined;
  for (const { row, value } of scored) {
    const last = parts.at(-1);
    if (last && value === previous) last.push(row);
    else parts.push([row]);
    previous = value;
  }
  return parts;
}

/** Entrants in one block share the rank of its first place; within it they are listed by seed. */
function assignRanks(blocks: readonly Row[][]): Standing[] {
  const result: Standing[] = [];
  for (const block of blocks) {
    const rank = result.length + 1;
    const bySeed = block.map((row) => row.standing).sort((a, b) => a.tieBreaks.seed - b.tieBreaks.seed);
    for (const standing of bySeed) result.push({ ...standing, rank });
  }
  return result;
}
