/** Moving entrants from one stage to the next: who qualifies from each group and how they are seeded. */
import { FormatError, type Entrant } from './types.js';
import type { Standing, TieBreak } from './standings.js';

/**
 * Tie-breaks that compare fairly across groups. Head-to-head only means something inside one group, and seeds
 * may be numbered per group, so the group number settles what these leave level.
 */
const CROSS_GROUP_TIE_BREAKS: readonly TieBreak[] = ['buchholz', 'buchholz_cut1', 'sonneborn_berger', 'wins'];

interface Qualifier {
  standing: Standing;
  /** 0 for the group winner, 1 for the runner-up, … */
  place: number;
  groupIndex: number;
}

/**
 * The top `topK` of each group, seeded 1..m for the next stage: every group winner first, then every runner-up,
 * and so on; within a place the better record (points, then cross-group tie-breaks, then group order) seeds higher.
 */
export function advance(groups: readonly (readonly Standing[])[], topK: number): Entrant[] {
  validateTopK(groups, topK);
  const qualifiers = groups.flatMap((group, groupIndex) => qualifiersOf(group, groupIndex, topK));
  validateUnique(qualifiers);
  qualifiers.sort((a, b) => a.place - b.place || compareRecords(a.standing, b.standing) || a.groupIndex - b.groupIndex);
  return qualifiers.map((qualifier, index) => ({ id: qualifier.standing.entrantId, seed: index + 1 }));
}

function validateTopK(groups: readonly (readonly Standing[])[], topK: number): void {
  const smallestGroup = Math.min(...groups.map((group) => group.length));
  if (groups.length === 0 || !Number.isInteger(topK) || topK < 1 || topK > smallestGroup) {
    throw new FormatError('invalid_settings', `topK must be an integer from 1 to the smallest group size, got ${topK}`);
  }
}

function qualifiersOf(group: readonly Standing[], groupIndex: number, topK: number): Qualifier[] {
  const byRank = [...group].sort((a, b) => a.rank - b.rank);
  const lastIn = byRank[topK - 1];
  const firstOut = byRank[topK];
  // Picking one of two entrants sharing a rank would be arbitrary; a chain ending in `seed` never shares ranks.
  if (lastIn && firstOut && lastIn.rank === firstOut.rank) {
    throw new FormatError('invalid_settings', `group ${groupIndex + 1} has a shared rank across the top ${topK}`);
  }
  return byRank.slice(0, topK).map((standing, place) => ({ standing, place, groupIndex }));
}

function validateUnique(qualifiers: readonly Qualifier[]): void {
  const ids = qualifiers.map((qualifier) => qualifier.standing.entrantId);
  if (new Set(ids).size !== ids.length) {
    throw new FormatError('invalid_entrants', 'an entrant qualified from two groups');
  }
}

/** Negative when `a` has the better record. */
function compareRecords(a: Standing, b: Standing): number {
  if (a.points !== b.points) return b.points - a.points;
  for (const tieBreak of CROSS_GROUP_TIE_BREAKS) {
    if (a.tieBreaks[tieBreak] !== b.tieBreaks[tieBreak]) return b.tieBreaks[tieBreak] - a.tieBreaks[tieBreak];
  }
  return 0;
}

/**
 * Deals items into groups in serpentine order (1→A, 2→B, 3→C, 4→C, 5→B, 6→A, 7→A, …), so seeded items spread
 * evenly and group sizes differ by at most one.
 */
export function snakeGroups<T>(items: readonly T[], groupCount: number): T[][] {
  if (!Number.isInteger(groupCount) || groupCount < 1) {
    throw new FormatError('invalid_settings', `groupCount must be a positive integer, got ${groupCount}`);
  }
  const groups = Array.from({ length: groupCount }, (): T[] => []);
  items.forEach((item, index) => {
    const lap = Math.floor(index / groupCount);
    const offset = index % groupCount;
    groups[lap % 2 === 0 ? offset : groupCount - 1 - offset]?.push(item);
  });
  return groups;
}
