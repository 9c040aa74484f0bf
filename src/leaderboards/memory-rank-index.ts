import type { RankEntry, RankIndex } from './rank-index.js';
import { playerOfMember } from './ranking.js';

const before = (a: RankEntry, b: RankEntry) => a.score < b.score || (a.score === b.score && a.member < b.member);

/** Entries of one period kept sorted in an array: binary search to find, one splice to move. */
class SortedEntries {
  readonly entries: RankEntry[] = [];
  readonly byPlayer = new Map<string, RankEntry>();

  /** Index of `entry` if present, else where it would go. */
  position(entry: RankEntry): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (before(this.entries[middle]!, entry)) low = middle + 1;
      else high = middle;
    }
    return low;
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
}
