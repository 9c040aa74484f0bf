/**
 * Single and double elimination as pure functions of (settings, entrants, results). Each call rebuilds the bracket
 * and replays the results in play order, O(matches).
 *
 * Rules:
 * - Fields are padded to the next power of two with byes placed by `standardOrder`, so byes meet the top seeds. A
 *   match with a bye completes itself: the entrant advances and the "loser" is a bye, which is how byes reach the
 *   losers bracket. Bye vs bye (possible in the losers bracket) completes itself and sends a bye on.
 * - Draws are refused. A single forfeit is a loss for the forfeiter. A double forfeit removes both entrants from the
 *   tournament: neither advances nor drops, so the next matches get byes from that side.
 * - Double elimination drops: WB round 1 losers pair up in order (M1 v M2, M3 v M4, …); WB round r ≥ 2 losers meet
 *   the LB survivors in reversed order for even r and half-shifted order for odd r, so a dropped entrant does not
 *   meet again, right away, the players it beat or who came from its own WB subtree.
 * - Grand final `none`: no grand final, the WB champion is 1st and the LB champion 2nd. `simple`: one match.
 *   `double`: GF-2 (the bracket reset) is played only if the LB champion (slot 1) wins GF-1; otherwise GF-2 is done
 *   with two byes, and no result is accepted for it.
 * - Places are fixed by where an entrant went out: SE round r of R → 2^(R−r)+1 (two 3rds without a third-place
 *   match; 3RD gives 3 and 4); DE losers round j → 3 + the entrants that go out in later LB rounds of a full bracket
 *   (1, 2, 3, 4, 5, 5, 7, 7, 9…). A double forfeit gives both the place a loser of that match would get; in the
 *   winners bracket of DE, the place of the losers round it would have dropped into.
 */
import { bracketSize, placeSeeds } from './seeding.js';
import { FormatError, type Entrant, type MatchResult, type MatchView, type Slot } from './types.js';

export interface Placement {
  entrantId: string;
  place: number;
}

export interface EliminationState {
  /** Every match of the bracket, in play order. */
  matches: MatchView[];
  ready: MatchView[];
  finished: boolean;
  /** Final standings once finished (empty before), best place first; shared where the format cannot tell. */
  placements: Placement[];
}

export interface SingleEliminationSettings {
  thirdPlace?: boolean;
}

export type GrandFinalMode = 'none' | 'simple' | 'double';

export interface DoubleEliminationSettings {
  grandFinal: GrandFinalMode;
}

type SlotSource = { kind: 'fixed'; slot: Slot } | { kind: 'winner' | 'loser'; matchId: string };

interface BracketNode {
  id: string;
  round: number;
  bracket: 'winners' | 'losers' | 'grand_final' | 'third_place';
  sources: [SlotSource, SlotSource];
  /** A bracket reset: played only if slot 1 won this earlier match. */
  resetOf?: string;
  winnerPlace?: number;
  loserPlace?: number;
  /** Place of both entrants after a double forfeit, when it differs from `loserPlace`. */
  doubleForfeitPlace?: number;
}

interface Outcome {
  winner: Slot;
  loser: Slot;
}

const PENDING: Slot = { kind: 'pending' };
const BYE: Slot = { kind: 'bye' };

const winnersId = (round: number, match: number): string => `WB-R${round}-M${match}`;
const losersId = (round: number, match: number): string => `LB-R${round}-M${match}`;
const winnerOf = (matchId: string): SlotSource => ({ kind: 'winner', matchId });
const loserOf = (matchId: string): SlotSource => ({ kind: 'loser', matchId });

export function singleElimination(
  settings: SingleEliminationSettings,
  entrants: Entrant[],
  results: MatchResult[],
): EliminationState {
  const firstRound = placeSeeds(entrants);
  const rounds = Math.log2(firstRound.length);
  const withThirdPlace = settings.thirdPlace === true && entrants.length >= 4;
  const bracket = winnersBracket(firstRound).map((round, index) =>
    round.map((node): BracketNode => {
      const roundNumber = index + 1;
      if (roundNumber === rounds) return { ...node, winnerPlace: 1, loserPlace: 2 };
      if (withThirdPlace && roundNumber === rounds - 1) return { ...node, loserPlace: 4 };
      return { ...node, loserPlace: 2 ** (rounds - roundNumber) + 1 };
    }),
  );
  const nodes = bracket.flat();
  if (withThirdPlace) {
    const thirdPlace: BracketNode = {
      id: '3RD',
      round: 1,
      bracket: 'third_place',
      sources: [loserOf(winnersId(rounds - 1, 1)), loserOf(winnersId(rounds - 1, 2))],
      winnerPlace: 3,
      loserPlace: 4,
    };
    nodes.splice(nodes.length - 1, 0, thirdPlace);
  }
  return evaluate(nodes, entrants, results);
}

export function doubleElimination(
  settings: DoubleEliminationSettings,
  entrants: Entrant[],
  results: MatchResult[],
): EliminationState {
  if (!['none', 'simple', 'double'].includes(settings.grandFinal)) {
    throw new FormatError('invalid_settings', `grandFinal must be none, simple or double, got ${settings.grandFinal}`);
  }
  const firstRound = placeSeeds(entrants);
  const size = bracketSize(entrants.length);
  const wbRounds = Math.log2(size);
  const lbRounds = 2 * (wbRounds - 1);
  const noGrandFinal = settings.grandFinal === 'none';

  const winners = winnersBracket(firstRound).map((round, index) => {
    const roundNumber = index + 1;
    const isFinal = roundNumber === wbRounds;
    const dropPlace = lbRounds === 0 ? 2 : losersPlace(dropRound(roundNumber), size);
    return round.map(
      (node): BracketNode => ({
        ...node,
        doubleForfeitPlace: dropPlace,
        ...(isFinal && noGrandFinal ? { winnerPlace: 1 } : {}),
        ...(isFinal && noGrandFinal && lbRounds === 0 ? { loserPlace: 2 } : {}),
      }),
    );
  });
  const losers = losersBracket(size).map((round, index) => {
    const loserPlace = losersPlace(index + 1, size);
    const isFinal = index + 1 === lbRounds;
    return round.map(
      (node): BracketNode => ({ ...node, loserPlace, ...(isFinal && noGrandFinal ? { winnerPlace: 2 } : {}) }),
    );
  });

  const nodes = [...(winners[0] ?? [])];
  for (let round = 2; round <= wbRounds; round++) {
    nodes.push(...(losers[2 * round - 4] ?? []), ...(winners[round - 1] ?? []), ...(losers[2 * round - 3] ?? []));
  }
  const losersChampion = lbRounds === 0 ? loserOf(winnersId(1, 1)) : winnerOf(losersId(lbRounds, 1));
  nodes.push(...grandFinal(settings.grandFinal, winnerOf(winnersId(wbRounds, 1)), losersChampion));
  return evaluate(nodes, entrants, results);
}

/** The winners bracket by round; round 1 takes the placed seeds in pairs. */
function winnersBracket(firstRound: Slot[]): BracketNode[][] {
  const rounds: BracketNode[][] = [];
  for (let round = 1, matches = firstRound.length / 2; matches >= 1; round++, matches /= 2) {
    rounds.push(
      Array.from({ length: matches }, (_, index): BracketNode => {
        const match = index + 1;
        const sources: [SlotSource, SlotSource] =
          round === 1
            ? [fixed(firstRound[2 * index]), fixed(firstRound[2 * index + 1])]
            : [winnerOf(winnersId(round - 1, 2 * match - 1)), winnerOf(winnersId(round - 1, 2 * match))];
        return { id: winnersId(round, match), round, bracket: 'winners', sources };
      }),
    );
  }
  return rounds;
}

function fixed(slot: Slot | undefined): SlotSource {
  return { kind: 'fixed', slot: slot ?? BYE };
}

/**
 * The losers bracket by round for a winners bracket of `size`: round 1 pairs WB round 1 losers; each even round j
 * takes WB round j/2+1 losers against the survivors; each odd round j ≥ 3 halves the survivors.
 */
function losersBracket(size: number): BracketNode[][] {
  const rounds: BracketNode[][] = [];
  const lbRounds = 2 * (Math.log2(size) - 1);
  for (let round = 1; round <= lbRounds; round++) {
    const matches = losersMatches(round, size);
    rounds.push(
      Array.from({ length: matches }, (_, index): BracketNode => {
        const match = index + 1;
        return { id: losersId(round, match), round, bracket: 'losers', sources: losersSources(round, match, matches) };
      }),
    );
  }
  return rounds;
}

function losersSources(round: number, match: number, matches: number): [SlotSource, SlotSource] {
  if (round === 1) return [loserOf(winnersId(1, 2 * match - 1)), loserOf(winnersId(1, 2 * match))];
  if (round % 2 === 0) {
    const wbRound = round / 2 + 1;
    return [loserOf(winnersId(wbRound, dropIndex(wbRound, match, matches))), winnerOf(losersId(round - 1, match))];
  }
  return [winnerOf(losersId(round - 1, 2 * match - 1)), winnerOf(losersId(round - 1, 2 * match))];
}

/** Which WB match's loser meets the survivor of LB match `match`: reversed for even WB rounds, half-shifted for odd. */
function dropIndex(wbRound: number, match: number, matches: number): number {
  if (wbRound % 2 === 0) return matches + 1 - match;
  return ((match - 1 + Math.floor(matches / 2)) % matches) + 1;
}

/** The LB round that WB round `wbRound` losers drop into. */
function dropRound(wbRound: number): number {
  return wbRound === 1 ? 1 : 2 * (wbRound - 1);
}

function losersMatches(round: number, size: number): number {
  return size / 2 ** (Math.ceil(round / 2) + 1);
}

/** Place of a loser in LB round `round`: behind the two finalists, the LB final loser and every later LB loser. */
function losersPlace(round: number, size: number): number {
  const lbRounds = 2 * (Math.log2(size) - 1);
  let place = 3;
  for (let later = round + 1; later <= lbRounds; later++) place += losersMatches(later, size);
  return place;
}

function grandFinal(mode: GrandFinalMode, winnersChampion: SlotSource, losersChampion: SlotSource): BracketNode[] {
  if (mode === 'none') return [];
  const first: BracketNode = {
    id: 'GF-1',
    round: 1,
    bracket: 'grand_final',
    sources: [winnersChampion, losersChampion],
    winnerPlace: 1,
    loserPlace: 2,
  };
  if (mode === 'simple') return [first];
  const reset: BracketNode = {
    id: 'GF-2',
    round: 2,
    bracket: 'grand_final',
    sources: [loserOf('GF-1'), winnerOf('GF-1')],
    resetOf: 'GF-1',
    winnerPlace: 1,
    loserPlace: 2,
  };
  return [first, reset];
}

function evaluate(nodes: BracketNode[], entrants: Entrant[], results: MatchResult[]): EliminationState {
  const resultsById = indexResults(nodes, results);
  const views = new Map<string, MatchView>();
  const outcomes = new Map<string, Outcome>();
  const places = new Map<string, number>();
  for (const node of nodes) {
    const view = evaluateMatch(node, views, outcomes, resultsById.get(node.id));
    views.set(node.id, view);
    if (view.state !== 'done') continue;
    const outcome = outcomeOf(view);
    outcomes.set(node.id, outcome);
    recordPlaces(node, view, outcome, places);
  }
  const matches = [...views.values()];
  const finished = matches.every((match) => match.state === 'done');
  return {
    matches,
    ready: matches.filter((match) => match.state === 'ready'),
    finished,
    placements: finished ? standings(places, entrants) : [],
  };
}

function indexResults(nodes: BracketNode[], results: MatchResult[]): Map<string, MatchResult> {
  const known = new Set(nodes.map((node) => node.id));
  const byId = new Map<string, MatchResult>();
  for (const result of results) {
    if (!known.has(result.matchId)) throw new FormatError('invalid_result', `unknown match ${result.matchId}`);
    if (byId.has(result.matchId)) throw new FormatError('invalid_result', `two results for ${result.matchId}`);
    byId.set(result.matchId, result);
  }
  return byId;
}

function evaluateMatch(
  node: BracketNode,
  views: Map<string, MatchView>,
  outcomes: Map<string, Outcome>,
  result: MatchResult | undefined,
): MatchView {
  const spec = { id: node.id, round: node.round, bracket: node.bracket };
  if (node.resetOf !== undefined) {
    const decider = views.get(node.resetOf);
    if (decider?.state !== 'done') return refuseResult({ ...spec, slots: [PENDING, PENDING], state: 'waiting' }, result);
    if (decider.result?.winner !== 1) return refuseResult({ ...spec, slots: [BYE, BYE], state: 'done' }, result);
  }
  const slots: [Slot, Slot] = [resolve(node.sources[0], outcomes), resolve(node.sources[1], outcomes)];
  const [first, second] = slots;
  if (first.kind === 'pending' || second.kind === 'pending') {
    return refuseResult({ ...spec, slots, state: 'waiting' }, result);
  }
  if (first.kind === 'bye' || second.kind === 'bye') return refuseResult({ ...spec, slots, state: 'done' }, result);
  if (result === undefined) return { ...spec, slots, state: 'ready' };
  validateResult(result);
  return { ...spec, slots, state: 'done', result };
}

/** Returns the view of a match that cannot take a result, refusing one if it was given. */
function refuseResult(view: MatchView, result: MatchResult | undefined): MatchView {
  if (result === undefined) return view;
  const why = view.state === 'waiting' ? 'is not ready' : 'completes itself (bye or skipped reset)';
  throw new FormatError('invalid_result', `match ${view.id} ${why}`);
}

function resolve(source: SlotSource, outcomes: Map<string, Outcome>): Slot {
  if (source.kind === 'fixed') return source.slot;
  const outcome = outcomes.get(source.matchId);
  if (outcome === undefined) return PENDING;
  return source.kind === 'winner' ? outcome.winner : outcome.loser;
}

function validateResult(result: MatchResult): void {
  const refuse = (why: string): never => {
    throw new FormatError('invalid_result', `result for ${result.matchId}: ${why}`);
  };
  const forfeited = result.forfeited ?? [];
  if (forfeited.some((side) => side !== 0 && side !== 1)) refuse('forfeited sides must be 0 or 1');
  if (!result.score.every((games) => Number.isFinite(games) && games >= 0)) refuse('scores must be non-negative');
  if (isDoubleForfeit(result)) {
    if (result.winner !== null) refuse('a double forfeit has no winner');
    return;
  }
  if (result.winner !== 0 && result.winner !== 1) return refuse('draws are not allowed in elimination');
  const loser = result.winner === 0 ? 1 : 0;
  if (forfeited.length > 0) {
    if (!forfeited.includes(loser)) refuse('the forfeiting side cannot win');
    return;
  }
  if (result.score[result.winner] <= result.score[loser]) refuse('the winner must have the higher score');
}

function isDoubleForfeit(result: MatchResult | undefined): boolean {
  const forfeited = result?.forfeited ?? [];
  return forfeited.includes(0) && forfeited.includes(1);
}

function outcomeOf(view: MatchView): Outcome {
  const [first, second] = view.slots;
  const result = view.result;
  if (result === undefined) {
    // Completed by itself: the entrant facing a bye advances; bye vs bye sends a bye on.
    return first.kind === 'entrant' ? { winner: first, loser: BYE } : { winner: second, loser: BYE };
  }
  if (result.winner === null || isDoubleForfeit(result)) return { winner: BYE, loser: BYE };
  return result.winner === 0 ? { winner: first, loser: second } : { winner: second, loser: first };
}

/** Later matches overwrite earlier places, so a provisional place (e.g. GF-1 before a reset) is replaced. */
function recordPlaces(node: BracketNode, view: MatchView, outcome: Outcome, places: Map<string, number>): void {
  const setPlace = (slot: Slot, place: number | undefined): void => {
    if (slot.kind === 'entrant' && place !== undefined) places.set(slot.entrantId, place);
  };
  if (isDoubleForfeit(view.result)) {
    const place = node.doubleForfeitPlace ?? node.loserPlace;
    view.slots.forEach((slot) => setPlace(slot, place));
    return;
  }
  setPlace(outcome.winner, node.winnerPlace);
  setPlace(outcome.loser, node.loserPlace);
}

function standings(places: Map<string, number>, entrants: Entrant[]): Placement[] {
  return [...entrants]
    .sort((a, b) => a.seed - b.seed)
    .flatMap((entrant) => {
      const place = places.get(entrant.id);
      return place === undefined ? [] : [{ entrantId: entrant.id, place }];
    })
    .sort((a, b) => a.place - b.place);
}
