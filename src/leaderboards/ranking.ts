import type { SortOrder } from './definition.js';
import type { RankEntry } from './rank-index.js';
import { compareAttempts, type ScoreRecord } from './scoring.js';

export interface RankedRecord extends ScoreRecord {
  playerId: string;
}

/**
 * The documented tie rule: (score, subscore) in the board's order, then the record that reached its value
 * first, then the player id. Every two distinct players therefore have distinct ranks.
 */
export function compareRecords(a: RankedRecord, b: RankedRecord, order: SortOrder): number {
  return compareAttempts(a, b, order) || a.updatedAt - b.updatedAt || (a.playerId < b.playerId ? -1 : a.playerId > b.playerId ? 1 : 0);
}

/** Offsetting by 2^53 (in bigint: the sum passes 2^53) makes signed values sort as unsigned text of 14 hex digits. */
const SIGNED_OFFSET = 2n ** 53n;
const SIGNED_WIDTH = 14;
/** Milliseconds since the epoch stay under 16^12 until the year 10889. */
const TIME_WIDTH = 12;

const hex = (value: number | bigint, width: number) => value.toString(16).padStart(width, '0');

/**
 * A record as a Redis sorted-set entry whose ascending (score, member) order is `compareRecords`' order:
 * the set's score carries the record's score (negated on `desc` boards) and the member's fixed-width text the
 * subscore, the time and the player id. Doubles hold every safe integer exactly, so no two scores collide.
 */
export function sortedSetEntry(record: RankedRecord, order: SortOrder): RankEntry {
  const directed = (value: number) => (order === 'desc' ? (value === 0 ? 0 : -value) : value);
  const member = hex(BigInt(directed(record.subscore)) + SIGNED_OFFSET, SIGNED_WIDTH) + hex(record.updatedAt, TIME_WIDTH) + record.playerId;
  return { score: directed(record.score), member, version: record.attempts };
}

/** The player id inside a sorted-set member made by `sortedSetEntry`. */
export function playerOfMember(member: string): string {
  return member.slice(SIGNED_WIDTH + TIME_WIDTH);
}
