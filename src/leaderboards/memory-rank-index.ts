import { newestPerPlayer, type PlayerEntry, type RankEntry, type RankIndex } from './rank-index.js';
import { playerOfMember } from './ranking.js';

const compareEntries = (a: RankEntry, b: RankEntry) =>
  a.score < b.score ? -1 : a.score > b.score ? 1 : a.member < b.member ? -1 : a.member > b.member ? 1 : 0;
const before = (a: RankEntry, b: RankEntry) => compareEntries(a, b) < 0;

/** Index of `entry` in `entries` if present, else where it would go; `low` bounds the search from below. */
function positionIn(entries: readonly RankEntry[], entry: RankEntry, low = 0): number {
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(entries[middle]!, entry)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * `entries` without the ones at `dropped` (ascending indexes) and with `added` (sorted) where they belong: a
 * binary search per added entry, and a copy of the rest that never reads what it copies (merging instead,
 * which compares every held entry, made a million-entry rebuild six times slower).
 */
function spliced(entries: readonly RankEntry[], dropped: readonly number[], added: readonly RankEntry[]): RankEntry[] {
  const result = new Array<RankEntry>(entries.length - dropped.length + added.length);
  let from = 0;
  let to = 0;
  let next = 0; // the next of `dropped`
  const copyUntil = (end: number) => {
    while (from < end) {
      const stop = next < dropped.length && dropped[next]! < end ? dropped[next]! : end;
      while (from < stop) result[to++] = entries[from++]!;
      if (stop < end) {
        from++;
        next++;
      }
    }
  };
  for (const entry of added) {
    copyUntil(positionIn(entries, entry, from));
    result[to++] = entry;
  }
  copyUntil(entries.length);
  return result;
}

/** Entries of one period kept sorted in an array: binary search to find, one splice to move. */
class SortedEntries {
  entries: RankEntry[] = [];
  readonly byPlayer = new Map<string, RankEntry>();

  /** Index of `entry` if present, else where it would go. */
  position(entry: RankEntry): number {
    return positionIn(this.entries, entry);
  }
}

/** The rank index of a single process without Redis. */
export class MemoryRankIndex implements RankIndex {
  private readonly periods = new Map<string, SortedEntries>();

  private periodOf(period: string): SortedEntries {
    let entries = this.periods.get(period);
    if (!entries) this.periods.set(period, (entries = new SortedEntries()));
    return entries;
  }

  // Each operation runs to its end without awaiting, so concurrent calls never interleave.
  async put(period: string, playerId: string, entry: RankEntry): Promise<void> {
    const sorted = this.periodOf(period);
    if ((sorted.byPlayer.get(playerId)?.version ?? -Infinity) > entry.version) return;
    this.removeNow(period, playerId);
    sorted.entries.splice(sorted.position(entry), 0, entry);
    sorted.byPlayer.set(playerId, entry);
  }

  // One pass over the period for the whole batch: a splice per entry would make a rebuild quadratic.
  async putMany(period: string, entries: readonly PlayerEntry[]): Promise<void> {
    const sorted = this.periodOf(period);
    const accepted = [...newestPerPlayer(entries)].filter(([playerId, entry]) => (sorted.byPlayer.get(playerId)?.version ?? -Infinity) <= entry.version);
    const replaced = accepted.flatMap(([playerId]) => {
      const held = sorted.byPlayer.get(playerId);
      return held ? [sorted.position(held)] : [];
    });
    sorted.entries = spliced(sorted.entries, replaced.sort((a, b) => a - b), accepted.map(([, entry]) => entry).sort(compareEntries));
    for (const [playerId, entry] of accepted) sorted.byPlayer.set(playerId, entry);
  }

  async remove(period: string, playerId: string): Promise<void> {
    this.removeNow(period, playerId);
  }

  private removeNow(period: string, playerId: string): void {
    const sorted = this.periods.get(period);
    const entry = sorted?.byPlayer.get(playerId);
    if (!sorted || !entry) return;
    sorted.entries.splice(sorted.position(entry), 1);
    sorted.byPlayer.delete(playerId);
  }

  async rankOf(period: string, playerId: string): Promise<number | undefined> {
    const sorted = this.periods.get(period);
    const entry = sorted?.byPlayer.get(playerId);
    return sorted && entry ? sorted.position(entry) : undefined;
  }

  async range(period: string, start: number, count: number): Promise<string[]> {
    const entries = this.periods.get(period)?.entries ?? [];
    return entries.slice(Math.max(0, start), Math.max(0, start + count)).map((entry) => playerOfMember(entry.member));
  }

  async size(period: string): Promise<number> {
    return this.periods.get(period)?.entries.length ?? 0;
  }

  async clear(period: string): Promise<void> {
    this.periods.delete(period);
  }

  async expire(period: string, seconds: number): Promise<void> {
    const entries = this.periods.get(period);
    // Only the set held now: one cleared and rebuilt meanwhile is another set, with its own expiry.
    setTimeout(() => {
      if (this.periods.get(period) === entries) this.periods.delete(period);
    }, seconds * 1000).unref();
  }
}
