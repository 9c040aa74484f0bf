import type { StageSettings, TournamentSettings } from '../api/tournaments.js';
import { doubleElimination, singleElimination, type Placement } from './formats/elimination.js';
import { groupsOf, roundRobin } from './formats/round-robin.js';
import { standings, type Standing, type TieBreak } from './formats/standings.js';
import { advance } from './formats/stages.js';
import { swissRound, swissStatus, type SwissSettings } from './formats/swiss.js';
import { FormatError, type Entrant, type MatchResult, type MatchSpec, type MatchView } from './formats/types.js';
import { pointsOf, tieBreaksOf } from './settings.js';

/** A series (one bracket match, best of N games) as far as it has been played. */
export interface Series {
  matchId: string;
  /** The two entrants it was opened for, in slot order. */
  players: [string, string];
  games: { gameId: string; winner: 0 | 1 | null }[];
  result?: MatchResult;
  room?: { roomId: string; node: string; deadline: number; attended: boolean };
  /** Reopened for a corrected report: no room is opened for it. */
  held: boolean;
}

interface Evaluation {
  matches: MatchView[];
  finished: boolean;
  placements?: Placement[];
}

/** The entrant ids of a match whose two slots are both entrants. */
export function pairOf(match: MatchView): [string, string] | undefined {
  const [a, b] = match.slots;
  return a.kind === 'entrant' && b.kind === 'entrant' ? [a.entrantId, b.entrantId] : undefined;
}

/**
 * One stage of a tournament: its format over its entrants, evaluated against the series played so far. Results
 * are taken in waves (a match's result counts only while the match is ready with the very players it was played
 * by), so a series left over from a re-routed bracket can never count for the wrong pairing; matches of withdrawn
 * entrants are forfeited as they come up; Swiss rounds are paired as the previous one completes and kept.
 */
export class Stage {
  matches: MatchView[] = [];
  finished = false;
  placements: Placement[] = [];
  /** Why the stage cannot go on (a Swiss round with no valid pairing) until an organizer corrects it. */
  blocked: string | undefined;
  /** Swiss only: the rounds paired so far, kept so that later withdrawals do not re-pair a round already shown. */
  private swissRounds: MatchSpec[][] = [];

  constructor(
    readonly number: number,
    readonly settings: StageSettings,
    readonly entrants: Entrant[],
    private readonly tournament: TournamentSettings,
    private readonly pairingSeed: number,
  ) {}

  /** Forgets Swiss rounds after `round` (a reopened match of that round changes every later pairing). */
  truncateSwiss(round: number): void {
    this.swissRounds = this.swissRounds.slice(0, round);
  }

  evaluate(series: ReadonlyMap<string, Series>, withdrawn: ReadonlySet<string>): void {
    const accepted = new Map<string, MatchResult>();
    for (;;) {
      const evaluation = this.compute([...accepted.values()]);
      let changed = false;
      for (const match of evaluation.matches) {
        if (match.state !== 'ready' || accepted.has(match.id)) continue;
        const result = this.resultFor(match, series.get(match.id), withdrawn);
        if (result) {
          accepted.set(match.id, result);
          changed = true;
        }
      }
      if (changed) continue;
      if (this.settings.format === 'swiss' && this.pairNextSwissRound(evaluation, withdrawn)) continue;
      if (this.settings.format === 'swiss' && !evaluation.finished && evaluation.matches.every((m) => m.state === 'done')) {
        evaluation.finished = this.swissOver(evaluation.matches, withdrawn);
      }
      this.matches = evaluation.matches;
      this.finished = evaluation.finished;
      this.placements = evaluation.placements ?? [];
      return;
    }
  }

  /** Group standings of a round-robin or Swiss stage (one group for Swiss); empty for elimination. */
  standings(tieBreaks: readonly TieBreak[] = tieBreaksOf(this.tournament)): Standing[][] {
    const done = this.matches.filter((match) => match.state === 'done');
    const options = { points: pointsOf(this.tournament), tieBreaks };
    if (this.settings.format === 'round_robin') {
      return groupsOf(this.entrants, this.settings.groups ?? 1).map((members, index) =>
        standings(members, done.filter((match) => match.bracket === `group:${index + 1}`), options),
      );
    }
    if (this.settings.format === 'swiss') return [standings(this.entrants, done, options)];
    return [];
  }

  /**
   * The entrants of the next stage, seeded: the top `advance` of each group, withdrawn entrants passed over. The
   * cut is always decided: `seed` settles what the configured tie-breaks leave level, and a group with nobody
   * left sends nobody.
   */
  qualifiers(withdrawn: ReadonlySet<string>): Entrant[] {
    const topK = 'advance' in this.settings ? (this.settings.advance ?? 1) : 1;
    const chain = tieBreaksOf(this.tournament);
    const groups = this.standings(chain.includes('seed') ? chain : [...chain, 'seed'])
      .map((group) => group.filter((standing) => !withdrawn.has(standing.entrantId)))
      .filter((group) => group.length > 0);
    if (groups.length === 0) return [];
    const smallest = Math.min(...groups.map((group) => group.length));
    return advance(groups, Math.max(1, Math.min(topK, smallest)));
  }

  private resultFor(match: MatchView, played: Series | undefined, withdrawn: ReadonlySet<string>): MatchResult | undefined {
    const players = pairOf(match);
    if (!players) return undefined;
    const current = played && played.players[0] === players[0] && played.players[1] === players[1] ? played : undefined;
    if (current?.result) return { ...current.result, matchId: match.id };
    const gone = ([0, 1] as const).filter((side) => withdrawn.has(players[side]));
    if (gone.length === 0) return undefined;
    const score = current ? gameWins(current) : ([0, 0] as [number, number]);
    return { matchId: match.id, winner: gone.length === 2 ? null : gone[0] === 0 ? 1 : 0, score, forfeited: gone };
  }

  private compute(results: MatchResult[]): Evaluation {
    switch (this.settings.format) {
      case 'single_elimination':
        return singleElimination({ thirdPlace: this.settings.third_place === true }, this.entrants, results);
      case 'double_elimination':
        return doubleElimination({ grandFinal: this.settings.grand_final ?? 'double' }, this.entrants, results);
      case 'round_robin':
        return roundRobin({ cycles: this.settings.cycles ?? 1, groups: this.settings.groups ?? 1 }, this.entrants, results);
      case 'swiss':
        return this.swissMatches(results);
    }
  }

  private swissSettings(): SwissSettings {
    const stage = this.settings as Extract<StageSettings, { format: 'swiss' }>;
    const points = pointsOf(this.tournament);
    if (stage.wins_to_advance !== undefined && stage.losses_to_eliminate !== undefined) {
      return { mode: 'thresholds', winsToAdvance: stage.wins_to_advance, lossesToEliminate: stage.losses_to_eliminate, points };
    }
    return { mode: 'fixed', rounds: stage.rounds ?? Math.max(1, Math.ceil(Math.log2(this.entrants.length))), points };
  }

  private swissMatches(results: MatchResult[]): Evaluation {
    const byId = new Map(results.map((result) => [result.matchId, result]));
    const matches = this.swissRounds.flat().map((spec): MatchView => {
      const result = byId.get(spec.id);
      if (result) return { ...spec, state: 'done', result };
      return { ...spec, state: pairOf({ ...spec, state: 'ready' }) ? 'ready' : 'done' };
    });
    return { matches, finished: false };
  }

  private swissOver(matches: MatchView[], withdrawn: ReadonlySet<string>): boolean {
    return swissStatus(this.swissSettings(), this.entrants, matches, this.withdrawnHere(withdrawn)).over;
  }

  private withdrawnHere(withdrawn: ReadonlySet<string>): string[] {
    return this.entrants.filter((entrant) => withdrawn.has(entrant.id)).map((entrant) => entrant.id);
  }

  /** Pairs the next Swiss round when every match so far is done and the event is not over; true if it did. */
  private pairNextSwissRound(evaluation: Evaluation, withdrawn: ReadonlySet<string>): boolean {
    this.blocked = undefined;
    if (!evaluation.matches.every((match) => match.state === 'done') || this.swissOver(evaluation.matches, withdrawn)) return false;
    const round = this.swissRounds.length + 1;
    try {
      const seed = (this.pairingSeed + round) >>> 0;
      this.swissRounds.push(swissRound(this.swissSettings(), this.entrants, evaluation.matches, this.withdrawnHere(withdrawn), seed));
    } catch (error) {
      if (!(error instanceof FormatError) || error.code !== 'no_valid_pairing') throw error;
      this.blocked = error.message;
      return false;
    }
    return true;
  }
}

/** Game wins per side so far. */
export function gameWins(series: Pick<Series, 'games'>): [number, number] {
  const wins: [number, number] = [0, 0];
  for (const game of series.games) if (game.winner !== null) wins[game.winner] += 1;
  return wins;
}
