import type { Database, Queryable } from '../store/index.js';
import type { LeaderboardDefinition } from './definition.js';
import { CLOSED_INDEX_TTL_SECONDS, periodAt, periodIndexName } from './periods.js';
import type { RankIndex } from './rank-index.js';
import type { Leaderboards } from './service.js';

/** A board period whose end has been handled: its final records stay readable through `?period=`. */
export interface ClosedPeriod {
  boardId: string;
  periodId: number;
  /** Records the period ended with. */
  records: number;
}

/**
 * Runs inside the transaction that closes the period, so what it writes commits exactly once with the
 * closing; a hook that throws rolls the closing back and the next sweep tries again.
 */
export type PeriodClosedHook = (tx: Queryable, closed: ClosedPeriod) => Promise<void>;

export interface SweepEvents {
  periodClosed(closed: ClosedPeriod): void;
  rebuilt(boardId: string, periodId: number): void;
}

/** Every how many sweeps each node compares the current periods' indexes with the database. */
const RECONCILE_EVERY_SWEEPS = 60;

/**
 * Upkeep of every board, run by every node on a timer (`sweep`): closes each ended period exactly once across all nodes, and
 * rebuilds an index that has fallen behind the database (a node that died between a commit and its index
 * write, a Redis that lost keys).
 *
 * A period closes in one transaction: the row in leaderboard_periods (its primary key is the lease: a second
 * node's insert waits for the first and then does nothing), the hooks, and nothing else. Periods close in
 * order, each with at least one record; several that ended while every node was down close one by one.
 */
export class LeaderboardSweep {
  private readonly hooks: PeriodClosedHook[] = [];
  /** Per index name, the database's record count at the previous reconcile. */
  private readonly countsSeen = new Map<string, number>();
  private sweeps = 0;

  constructor(
    private readonly db: Database,
    private readonly boards: Leaderboards,
    private readonly index: RankIndex,
    private readonly clock: () => Date,
    private readonly events: SweepEvents,
  ) {}

  onPeriodClosed(hook: PeriodClosedHook): void {
    this.hooks.push(hook);
  }

  /** One round: close ended periods of every board; every RECONCILE_EVERY_SWEEPS rounds, reconcile them. */
  async sweep(): Promise<void> {
    const reconciling = this.sweeps++ % RECONCILE_EVERY_SWEEPS === 0;
    for (const definition of await this.boards.list()) {
      if (definition.resetSchedule !== undefined) await this.closeEndedPeriods(definition);
      if (reconciling) await this.reconcile(definition);
    }
  }

  /** Closes the board's ended periods that are not closed yet; returns the ones this call closed. */
  async closeEndedPeriods(definition: LeaderboardDefinition): Promise<ClosedPeriod[]> {
    const current = periodAt(definition, this.clock()).id;
    const closed: ClosedPeriod[] = [];
    for (;;) {
      const outcome = await this.db.transaction((tx) => this.closeNext(tx, definition.id, current));
      if (outcome === 'none') return closed;
      if (outcome === 'taken') continue;
      closed.push(outcome);
      this.events.periodClosed(outcome);
      await this.index.expire(periodIndexName(definition.id, outcome.periodId), CLOSED_INDEX_TTL_SECONDS);
    }
  }

  /**
   * Rebuilds the current period's index when it holds fewer records than the database did at the previous
   * reconcile: records committed that long ago are indexed unless an index write was lost.
   */
  async reconcile(definition: LeaderboardDefinition): Promise<boolean> {
    const periodId = periodAt(definition, this.clock()).id;
    const name = periodIndexName(definition.id, periodId);
    const size = await this.index.size(name);
    const seen = this.countsSeen.get(name);
    const { rows } = await this.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM leaderboard_records WHERE board_id = $1 AND period_id = $2 AND attempts > 0',
      [definition.id, periodId],
    );
    this.countsSeen.set(name, rows[0]!.count);
    if (seen === undefined || size >= seen) return false;
    await this.boards.rebuild(definition.id, periodId);
    this.events.rebuilt(definition.id, periodId);
    return true;
  }

  /** The oldest ended, unclosed period with records: closed here ('taken' if another node just closed it). */
  private async closeNext(tx: Queryable, boardId: string, current: number): Promise<ClosedPeriod | 'none' | 'taken'> {
    // min() over the primary key's (board_id, period_id) prefix is an index probe, not a scan of the records.
    const { rows } = await tx.query<{ period_id: number | null }>(
      `SELECT min(period_id)::float8 AS period_id FROM leaderboard_records
       WHERE board_id = $1 AND period_id < $2
         AND period_id > COALESCE((SELECT max(period_id) FROM leaderboard_periods WHERE board_id = $1), -1)`,
      [boardId, current],
    );
    const periodId = rows[0]?.period_id ?? null;
    if (periodId === null) return 'none';
    const inserted = await tx.query<{ records: number }>(
      `INSERT INTO leaderboard_periods (board_id, period_id, records)
       SELECT $1, $2, count(*) FROM leaderboard_records WHERE board_id = $1 AND period_id = $2 AND attempts > 0
       ON CONFLICT DO NOTHING RETURNING records`,
      [boardId, periodId],
    );
    if (inserted.rows.length === 0) return 'taken';
    const closed = { boardId, periodId, records: inserted.rows[0]!.records };
    for (const hook of this.hooks) await hook(tx, closed);
    return closed;
  }
}
