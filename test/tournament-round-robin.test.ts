import { describe, expect, it } from 'vitest';
import { groupsOf, roundRobin } from '../src/tournaments/formats/round-robin.js';
import { FormatError, type Entrant, type MatchView } from '../src/tournaments/formats/types.js';

function field(size: number): Entrant[] {
  return Array.from({ length: size }, (_, index) => ({ id: `e${index + 1}`, seed: index + 1 }));
}

function sides(match: MatchView): [string, string] {
  const [home, away] = match.slots;
  if (home.kind !== 'entrant' || away.kind !== 'entrant') throw new Error(`${match.id} is not between two entrants`);
  return [home.entrantId, away.entrantId];
}

/** The schedule's defects in one group, as readable strings (checked in plain code: this runs for ~300 fields). */
function groupDefects(matches: MatchView[], members: string[], cycles: 1 | 2): string[] {
  const defects: string[] = [];
  const size = members.length;
  const roundsPerCycle = size % 2 === 0 ? size - 1 : size;
  if (matches.length !== (cycles * size * (size - 1)) / 2) defects.push(`${matches.length} matches`);
  const byRound = new Map<number, string[]>();
  for (const match of matches) byRound.set(match.round, [...(byRound.get(match.round) ?? []), ...sides(match)]);
  for (const [round, playing] of byRound) {
    if (new Set(playing).size !== playing.length) defects.push(`someone plays twice in round ${round}`);
  }
  if (Math.max(...byRound.keys()) !== cycles * roundsPerCycle) defects.push('wrong number of rounds');

  const firstCycle = new Map<string, [string, string]>();
  for (const match of matches.filter((m) => m.round <= roundsPerCycle)) {
    const [home, away] = sides(match);
    const key = [home, away].sort().join('|');
    if (firstCycle.has(key)) defects.push(`${key} meet twice in cycle 1`);
    if (!members.includes(home) || !members.includes(away)) defects.push(`${key} is not inside the group`);
    firstCycle.set(key, [home, away]);
  }
  if (firstCycle.size !== (size * (size - 1)) / 2) defects.push('some pair never meets');

  if (cycles === 2) {
    const secondCycle = matches.filter((m) => m.round > roundsPerCycle).map(sides);
    if (secondCycle.length !== firstCycle.size) defects.push('cycle 2 has a different length');
    for (const [home, away] of secondCycle) {
      const first = firstCycle.get([home, away].sort().join('|'));
      if (first?.[0] !== away || first[1] !== home) defects.push(`${home}-${away} not swapped in cycle 2`);
    }
  }
  return defects;
}

describe('roundRobin', () => {
  it('meets every pair once per cycle, once per round, with swapped sides in cycle 2 and balanced groups', () => {
    for (let size = 2; size <= 40; size++) {
      for (const cycles of [1, 2] as const) {
        for (let groups = 1; groups <= 4 && 2 * groups <= size; groups++) {
          const entrants = field(size);
          const state = roundRobin({ cycles, groups }, entrants, []);
          expect(state.finished).toBe(false);
          expect(state.ready.length).toBe(state.matches.length);
          const members = groupsOf(entrants, groups).map((group) => group.map((entrant) => entrant.id));
          const sizes = members.map((group) => group.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          const defects = members.flatMap((group, index) => {
            const inGroup = state.matches.filter((match) => match.bracket === `group:${index + 1}`);
            return groupDefects(inGroup, group, cycles).map((defect) => `n=${size} c=${cycles} g=${index + 1}: ${defect}`);
          });
          expect(defects).toEqual([]);
          expect(JSON.stringify(roundRobin({ cycles, groups }, entrants, []))).toBe(JSON.stringify(state));
        }
      }
    }
  });

  it('fills groups in snake order of seeds', () => {
    const groups = groupsOf(field(10).reverse(), 3).map((group) => group.map((entrant) => entrant.seed));
    expect(groups).toEqual([
      [1, 6, 7],
      [2, 5, 8],
      [3, 4, 9, 10],
    ]);
  });

  it('names matches by group, round and number; an odd group sits one entrant out per round', () => {
    const state = roundRobin({ cycles: 1 }, field(5), []);
    expect(state.matches).toHaveLength(10);
    expect(new Set(state.matches.map((match) => match.round)).size).toBe(5);
    expect(state.matches[0]?.id).toBe('RR-G1-R1-M1');
    expect(state.matches.every((match) => /^RR-G1-R[1-5]-M[12]$/.test(match.id))).toBe(true);
  });

  it('applies results, allows draws and finishes when every match is decided', () => {
    const entrants = field(4);
    const { matches } = roundRobin({ cycles: 1 }, entrants, []);
    const results = matches.map((match, index) => ({
      matchId: match.id,
      winner: index % 3 === 0 ? null : ((index % 2) as 0 | 1),
      score: [1, 1] as [number, number],
    }));
    const partial = roundRobin({ cycles: 1 }, entrants, results.slice(0, 2));
    expect(partial.ready).toHaveLength(matches.length - 2);
    expect(partial.matches.filter((match) => match.state === 'done').map((match) => match.result)).toEqual(
      results.slice(0, 2),
    );
    const done = roundRobin({ cycles: 1 }, entrants, results);
    expect(done.finished).toBe(true);
    expect(done.ready).toEqual([]);
  });

  it('rejects unknown and repeated results and bad settings', () => {
    const entrants = field(4);
    const id = roundRobin({ cycles: 1 }, entrants, []).matches[0]?.id ?? '';
    const result = { matchId: id, winner: 0 as const, score: [1, 0] as [number, number] };
    const codeOf = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        return error instanceof FormatError ? error.code : 'other';
      }
      return undefined;
    };
    expect(codeOf(() => roundRobin({ cycles: 1 }, entrants, [{ ...result, matchId: 'RR-G9-R1-M1' }]))).toBe(
      'invalid_result',
    );
    expect(codeOf(() => roundRobin({ cycles: 1 }, entrants, [result, result]))).toBe('invalid_result');
    expect(codeOf(() => roundRobin({ cycles: 1, groups: 3 }, entrants, []))).toBe('invalid_entrants');
    expect(codeOf(() => roundRobin({ cycles: 3 as 1 }, entrants, []))).toBe('invalid_settings');
  });
});
