/** A board period's entries: a sorted-set score and member made by `sortedSetEntry`. */
export interface RankEntry {
  score: number;
  member: string;
  /**
   * The record's attempt count, which only grows: an entry older than the one held is ignored, so writes
   * committed in one order but indexed in another still leave the newer entry.
   */
  version: number;
}

/** A player's entry as `putMany` takes it. */
export type PlayerEntry = readonly [playerId: string, entry: RankEntry];

/** One entry per player, as putting `entries` one after the other would leave it: a later one wins unless older. */
export function newestPerPlayer(entries: Iterable<PlayerEntry>): Map<string, RankEntry> {
  const newest = new Map<string, RankEntry>();
  for (const [playerId, entry] of entries) {
    if ((newest.get(playerId)?.version ?? -Infinity) <= entry.version) newest.set(playerId, entry);
  }
  return newest;
}

/**
 * Ranks of one board period, served from memory or a Redis sorted set; PostgreSQL holds the records and the
 * index can be rebuilt from them. Ranks are 0-based in the board's order.
 */
export interface RankIndex {
  /** Sets the player's entry, replacing the previous one unless that one has a higher version. */
  put(period: string, playerId: string, entry: RankEntry): Promise<void>;
  /**
   * `put` of many entries in a few round trips, each under the same version rule, so a rebuild can race the
   * writes of live scores. A concurrent reader may see some of the entries before the others.
   */
  putMany(period: string, entries: readonly PlayerEntry[]): Promise<void>;
  remove(period: string, playerId: string): Promise<void>;
  rankOf(period: string, playerId: string): Promise<number | undefined>;
  /** Player ids at ranks `start` … `start + count - 1`. */
  range(period: string, start: number, count: number): Promise<string[]>;
  size(period: string): Promise<number>;
  /** Forgets a period, before a rebuild or once it is no longer served. */
  clear(period: string): Promise<void>;
  /** Forgets a period after `seconds` (a closed period: later reads rebuild it from the database). */
  expire(period: string, seconds: number): Promise<void>;
}
