/**
 * Round-robin groups by the circle method. Entrants are dealt into groups in snake order of seeds; inside a group
 * everybody meets everybody once per cycle, and the second cycle replays the first with sides swapped.
 *
 * With an odd group size one entrant sits out each round. That sit-out is not a match: the entrant simply has no
 * match in that round (a bye "match" would carry no result and only clutter schedules and standings).
 *
 * Rounds are a schedule, not a dependency: every undecided match is `ready` from the start.
 */
import { FormatError, type Entrant, type MatchResult, type MatchView } from './types.js';
import { snakeGroups } from './stages.js';

export interface RoundRobinSettings {
  cycles: 1 | 2;
  /** Number of groups; 1 when omitted. Each group needs at least two entrants. */
  groups?: number;
}

export interface RoundRobinState {
  matches: MatchView[];
  ready: MatchView[];
  finished: boolean;
}

interface Pairing {
  round: number;
  home: string;
  away: string;
}

export function roundRobin(settings: RoundRobinSettings, entrants: Entrant[], results: MatchResult[]): RoundRobinState {
  const groupCount = validateSettings(settings, entrants);
  const groups = groupsOf(entrants, groupCount);
  const specs = groups.flatMap((members, index) => groupMatches(index + 1, members, settings.cycles));
  const matches = applyResults(specs, results);
  const ready = matches.filter((match) => match.state === 'ready');
  return { matches, ready, finished: ready.length === 0 };
}

function validateSettings(settings: RoundRobinSettings, entrants: Entrant[]): number {
  if (settings.cycles !== 1 && settings.cycles !== 2) {
    throw new FormatError('invalid_settings', `cycles must be 1 or 2, got ${String(settings.cycles)}`);
  }
  const groupCount = settings.groups ?? 1;
  if (!Number.isInteger(groupCount) || groupCount < 1) {
    throw new FormatError('invalid_settings', `groups must be a positive integer, got ${groupCount}`);
  }
  if (new Set(entrants.map((entrant) => entrant.id)).size !== entrants.length) {
    throw new FormatError('invalid_entrants', 'entrant ids must be unique');
  }
  if (new Set(entrants.map((entrant) => entrant.seed)).size !== entrants.length) {
    throw new FormatError('invalid_entrants', 'seeds must be unique: groups are filled in seed order');
  }
  if (entrants.length < 2 * groupCount) {
    throw new FormatError('invalid_entrants', `${groupCount} group(s) need at least ${2 * groupCount} entrants`);
  }
  return groupCount;
}

/** The groups of a round-robin stage: entrants snake-distributed by seed, so group strengths stay even. */
export function groupsOf(entrants: readonly Entrant[], groupCount: number): Entrant[][] {
  return snakeGroups([...entrants].sort((a, b) => a.seed - b.seed), groupCount);
}

function groupMatches(groupNumber: number, members: Entrant[], cycles: 1 | 2): MatchView[] {
  const firstCycle = circlePairings(members.map((member) => member.id));
  const roundsPerCycle = firstCycle.reduce((max, pairing) => Math.max(max, pairing.round), 0);
  const secondCycle = cycles === 2
    ? firstCycle.map((p) => ({ round: p.round + roundsPerCycle, home: p.away, away: p.home }))
    : [];
  const numberInRound = new Map<number, number>();
  return [...firstCycle, ...secondCycle].map((pairing) => {
    const matchNumber = (numberInRound.get(pairing.round) ?? 0) + 1;
    numberInRound.set(pairing.round, matchNumber);
    return {
      id: `RR-G${groupNumber}-R${pairing.round}-M${matchNumber}`,
      round: pairing.round,
      bracket: `group:${groupNumber}`,
      slots: [
        { kind: 'entrant', entrantId: pairing.home },
        { kind: 'entrant', entrantId: pairing.away },
      ],
      state: 'ready',
    };
  });
}

/**
 * The circle method: the first entrant stays put while the others rotate one place per round; position i plays
 * position n−1−i. An odd field gets a phantom (null) whose partner sits out. The fixed entrant alternates sides so
 * it is not at home every round.
 */
function circlePairings(ids: string[]): Pairing[] {
  const circle: (string | null)[] = ids.length % 2 === 0 ? [...ids] : [...ids, null];
  const size = circle.length;
  const pairings: Pairing[] = [];
  for (let round = 1; round < size; round++) {
    for (let position = 0; position < size / 2; position++) {
      const first = circle[position];
      const second = circle[size - 1 - position];
      if (first == null || second == null) continue;
      const swap = position === 0 && round % 2 === 0;
      pairings.push({ round, home: swap ? second : first, away: swap ? first : second });
    }
    const last = circle.pop();
    if (last !== undefined) circle.splice(1, 0, last);
  }
  return pairings;
}

function applyResults(matches: MatchView[], results: MatchResult[]): MatchView[] {
  const byId = new Map(matches.map((match) => [match.id, match]));
  for (const result of results) {
    const match = byId.get(result.matchId);
    if (!match) throw new FormatError('invalid_result', `unknown match ${result.matchId}`);
    if (match.state === 'done') throw new FormatError('invalid_result', `match ${result.matchId} is already decided`);
    if (result.winner !== 0 && result.winner !== 1 && result.winner !== null) {
      throw new FormatError('invalid_result', `match ${result.matchId}: winner must be 0, 1 or null`);
    }
    byId.set(result.matchId, { ...match, state: 'done', result });
  }
  return matches.map((match) => byId.get(match.id) ?? match);
}
