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

/**
 * Ranks of one board period, served from memory or a Redis sorted set; PostgreSQL holds the records and the
 * index can be rebuilt from them. Ranks are 0-based in the board's order.
 */
export interface RankIndex {
  /** Sets the player's entry, replacing the previous one unless that one has a higher version. */
  put(period: string, playerId: string, entry: RankEntry): Promise<void>;
  remove(period: string, playerId: string): Promise<void>;
  rankOf(period: string, playerId: string): Promise<number | undefined>;
  /** Player ids at ranks `start` … `start + count - 1`. */
  range(period: string, start: number, count: number): Promise<string[]>;
  size(period: string): Promise<number>;
  /** Forgets a period, before a rebuild or once it is no longer served. */
  clear(period: string): Promise<void>;
}
