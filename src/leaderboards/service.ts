import type { Database, Queryable } from '../store/index.js';
import { validateDefinition, type LeaderboardDefinition } from './definition.js';
import { LeaderboardError } from './errors.js';
import { CLOSED_INDEX_TTL_SECONDS, periodAt, periodIndexName, writablePeriod, type Period } from './periods.js';
import type { RankIndex } from './rank-index.js';
import type { ClosedPeriod } from './sweep.js';
import { sortedSetEntry, type RankedRecord } from './ranking.js';
import { applyAttempt, type Attempt } from './scoring.js';

export interface LeaderboardEntry {
  /** 1-based. */
  rank: number;
  playerId: string;
  displayName: string;
  score: number;
  subscore: number;
  attempts: number;
  updatedAt: Date;
  metadata: Record<string, unknown> | null;
}

/** One player's attempt on a board written by the server itself (a built-in board), not through `submit`. */
export interface BoardWrite {
  playerId: string;
  attempt: Attempt;
}

/** Indexes what a transaction wrote, once the caller has committed it. */
export type IndexAfterCommit = () => Promise<void>;

/** Which period a read is about: the current one unless an older period's id is given. */
export interface PeriodChoice {
  periodId?: number;
}

interface DefinitionRow {
  id: string;
  sort_order: LeaderboardDefinition['sortOrder'];
  operator: LeaderboardDefinition['operator'];
  reset_schedule: string | null;
  duration_seconds: number | null;
  max_size: number | null;
}

interface RecordRow {
  player_id: string;
  display_name: string;
  score: number;
  subscore: number;
  attempts: number;
  updated_ms: number;
  metadata: Record<string, unknown> | null;
}

const RECORD_COLUMNS = `r.player_id, p.display_name, r.score::float8 AS score, r.subscore::float8 AS subscore, r.attempts,
  r.updated_ms::float8 AS updated_ms, r.metadata`;
/** Bounds of one page or one "around" window. */
const MAX_PAGE = 100;
const METADATA_LIMIT_BYTES = 2048;
/**
 * How long a read trusts that an index it found filled still is, instead of asking the index (a Redis round
 * trip) on every read; an index lost meanwhile reads short for at most this long, then is rebuilt.
 */
const FILLED_RECHECK_MS = 5_000;
const MAX_FILLED_MEMOS = 10_000;
/** Records read per query of a rebuild: bounds its memory however large the period is. */
const REBUILD_PAGE = 10_000;
/** Sorts before every player id: gen_random_uuid() never makes the nil UUID. */
const BEFORE_EVERY_PLAYER = '00000000-0000-0000-0000-000000000000';

const definitionOf = (row: DefinitionRow): LeaderboardDefinition => ({
  id: row.id,
  sortOrder: row.sort_order,
  operator: row.operator,
  ...(row.reset_schedule !== null ? { resetSchedule: row.reset_schedule } : {}),
  ...(row.duration_seconds !== null ? { durationSeconds: row.duration_seconds } : {}),
  ...(row.max_size !== null ? { maxSize: row.max_size } : {}),
});

/** `rank` is 0-based, as the index counts; entries count from 1. */
const entryOf = (row: RecordRow, rank: number): LeaderboardEntry => ({
  rank: rank + 1,
  playerId: row.player_id,
  displayName: row.display_name,
  score: row.score,
  subscore: row.subscore,
  attempts: row.attempts,
  updatedAt: new Date(row.updated_ms),
  metadata: row.metadata,
});

/** The columns a rank needs: a rebuild reads only these, without the players join. */
type RankedRow = Pick<RecordRow, 'player_id' | 'score' | 'subscore' | 'attempts' | 'updated_ms'>;

const rankedOf = (row: RankedRow): RankedRecord => ({
  playerId: row.player_id,
  score: row.score,
  subscore: row.subscore,
  attempts: row.attempts,
  updatedAt: row.updated_ms,
});

/** Ids of the boards the server keeps itself (src/leaderboards/rating-boards.ts): no one else may write them. */
export const BUILT_IN_PREFIX = 'rating.';
const isBuiltIn = (boardId: string) => boardId.startsWith(BUILT_IN_PREFIX);

/**
 * Leaderboards: definitions and records in the database (the source of truth, one row per player and period),
 * ranks from a rank index that is rebuilt from those rows when a read finds it empty.
 */
export class Leaderboards {
  /** Definitions never change once created, so each is read from the database once per process. */
  private readonly definitions = new Map<string, LeaderboardDefinition>();
  /** Per index name, when a read last found it holding records: reads soon after skip looking again. */
  private readonly seenFilled = new Map<string, number>();
  /** Checks (and rebuilds) under way in this process: concurrent reads of one index wait for the same one. */
  private readonly filling = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly index: RankIndex,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(definition: LeaderboardDefinition): Promise<LeaderboardDefinition> {
    validateDefinition(definition);
    if (isBuiltIn(definition.id)) throw new LeaderboardError('invalid_definition', `ids starting with ${BUILT_IN_PREFIX} are kept for the built-in boards`);
    if (!(await this.insertDefinition(this.db, definition))) throw new LeaderboardError('board_exists', `a leaderboard named ${definition.id} already exists`);
    return definition;
  }

  async list(): Promise<LeaderboardDefinition[]> {
    const { rows } = await this.db.query<DefinitionRow>('SELECT * FROM leaderboards ORDER BY id');
    return rows.map(definitionOf);
  }

  async get(boardId: string, db: Queryable = this.db): Promise<LeaderboardDefinition> {
    const known = this.definitions.get(boardId);
    if (known) return known;
    const { rows } = await db.query<DefinitionRow>('SELECT * FROM leaderboards WHERE id = $1', [boardId]);
    if (!rows[0]) throw new LeaderboardError('board_not_found', `no leaderboard named ${boardId}`);
    const definition = definitionOf(rows[0]);
    this.definitions.set(boardId, definition);
    return definition;
  }

  /** The board and the chosen period (the current one unless `periodId` names an older one). */
  async periodOf(boardId: string, choice: PeriodChoice = {}): Promise<{ definition: LeaderboardDefinition; period: Period }> {
    const definition = await this.get(boardId);
    const at = choice.periodId === undefined || definition.resetSchedule === undefined ? this.clock() : new Date(choice.periodId * 1000);
    return { definition, period: periodAt(definition, at) };
  }

  /**
   * Applies one attempt of a player to the board's current period and returns the player's entry after it.
   * Built-in boards refuse: their records follow the games the server rates.
   */
  async submit(boardId: string, playerId: string, attempt: Attempt, metadata?: Record<string, unknown>): Promise<LeaderboardEntry> {
    if (metadata !== undefined && JSON.stringify(metadata).length > METADATA_LIMIT_BYTES) {
      throw new LeaderboardError('invalid_score', `metadata must stay under ${METADATA_LIMIT_BYTES} bytes of JSON`);
    }
    if (isBuiltIn(boardId)) throw new LeaderboardError('board_read_only', `${boardId} is a built-in board: finished games write it`);
    const now = this.clock();
    const { definition, periodId, record } = await this.db.transaction(async (tx) => {
      const definition = await this.get(boardId, tx);
      const periodId = writablePeriod(definition, now).id;
      const record = await this.applyIn(tx, definition, periodId, playerId, attempt, now, metadata);
      return { definition, periodId, record };
    });
    // After the commit: a crash in between leaves the index short of this record until the sweep rebuilds it.
    const key = { name: periodIndexName(boardId, periodId), periodId };
    await this.index.put(key.name, playerId, sortedSetEntry(record, definition.sortOrder));
    const rank = await this.index.rankOf(key.name, playerId);
    return (await this.entriesAt(boardId, key, rank!, 1))[0]!;
  }

  /** Creates a built-in board unless it exists (at every start, so its page answers before its first record). */
  async ensureBuiltIn(definition: LeaderboardDefinition): Promise<void> {
    await this.insertDefinition(this.db, validateDefinition(definition));
  }

  /**
   * Writes attempts to a built-in board inside the caller's transaction, creating the board from `definition`
   * the first time. Returns what indexes the records, for the caller to run once it has committed.
   */
  async writeIn(tx: Queryable, definition: LeaderboardDefinition, writes: readonly BoardWrite[]): Promise<IndexAfterCommit> {
    // Not cached here: the transaction that creates the board may still roll back.
    await this.insertDefinition(tx, validateDefinition(definition));
    const now = this.clock();
    const periodId = writablePeriod(definition, now).id;
    const records: RankedRecord[] = [];
    // In player order, as every writer locks them, so two games of the same players cannot deadlock.
    for (const { playerId, attempt } of [...writes].sort((a, b) => (a.playerId < b.playerId ? -1 : 1))) {
      records.push(await this.applyIn(tx, definition, periodId, playerId, attempt, now));
    }
    const name = periodIndexName(definition.id, periodId);
    return async () => {
      for (const record of records) await this.index.put(name, record.playerId, sortedSetEntry(record, definition.sortOrder));
    };
  }

  /** The board's current period and, newest first, up to MAX_PAGE of its closed ones. */
  async periods(boardId: string): Promise<{ current: Period; closed: (ClosedPeriod & { start: Date; end: Date; closedAt: Date })[] }> {
    const definition = await this.get(boardId);
    const { rows } = await this.db.query<{ period_id: number; records: number; closed_at: Date }>(
      'SELECT period_id::float8 AS period_id, records, closed_at FROM leaderboard_periods WHERE board_id = $1 ORDER BY period_id DESC LIMIT $2',
      [boardId, MAX_PAGE],
    );
    return {
      current: periodAt(definition, this.clock()),
      closed: rows.map((row) => {
        const start = new Date(row.period_id * 1000);
        return { boardId, periodId: row.period_id, records: row.records, start, end: periodAt(definition, start).end!, closedAt: row.closed_at };
      }),
    };
  }

  /** Entries from rank `offset + 1` on. */
  async top(boardId: string, { limit = 20, offset = 0, ...choice }: { limit?: number; offset?: number } & PeriodChoice = {}): Promise<LeaderboardEntry[]> {
    const key = await this.indexed(boardId, choice);
    return this.entriesAt(boardId, key, Math.max(0, offset), Math.min(Math.max(1, limit), MAX_PAGE));
  }

  /** The player's entry, or undefined when the player has no record in the period. */
  async entryOf(boardId: string, playerId: string, choice: PeriodChoice = {}): Promise<LeaderboardEntry | undefined> {
    const key = await this.indexed(boardId, choice);
    const rank = await this.index.rankOf(key.name, playerId);
    return rank === undefined ? undefined : (await this.entriesAt(boardId, key, rank, 1))[0];
  }

  /** The entries of the named players (friends, a party) that have a record in the period, in rank order. */
  async entriesOf(boardId: string, playerIds: readonly string[], choice: PeriodChoice = {}): Promise<LeaderboardEntry[]> {
    if (playerIds.length > MAX_PAGE) throw new LeaderboardError('invalid_request', `at most ${MAX_PAGE} players at a time`);
    const key = await this.indexed(boardId, choice);
    const ranked: { playerId: string; rank: number }[] = [];
    for (const playerId of new Set(playerIds)) {
      const rank = await this.index.rankOf(key.name, playerId);
      if (rank !== undefined) ranked.push({ playerId, rank });
    }
    const entries = await this.records(boardId, key.periodId, ranked.map((entry) => entry.playerId));
    return ranked
      .sort((a, b) => a.rank - b.rank)
      .flatMap(({ playerId, rank }) => {
        const row = entries.get(playerId);
        return row ? [entryOf(row, rank)] : [];
      });
  }

  /** The player's entry with up to `radius` entries above and below; empty when the player has no record. */
  async around(boardId: string, playerId: string, radius = 5, choice: PeriodChoice = {}): Promise<LeaderboardEntry[]> {
    const key = await this.indexed(boardId, choice);
    const rank = await this.index.rankOf(key.name, playerId);
    if (rank === undefined) return [];
    const k = Math.min(Math.max(0, radius), Math.floor(MAX_PAGE / 2));
    const start = Math.max(0, rank - k);
    return this.entriesAt(boardId, key, start, rank - start + k + 1);
  }

  /**
   * Replaces the index of one period with the database's rows, read in pages by player id and indexed a page
   * at a time. A score written meanwhile is kept: the index is cleared before the first page is read, so a
   * write committed before its page was read is in that page, and a later one indexes itself; of the two
   * entries the newer version wins whichever lands last. Readers meanwhile see a partial index, and one that
   * finds it still empty starts a rebuild of its own (which ends the same way).
   */
  async rebuild(boardId: string, periodId: number): Promise<void> {
    const { sortOrder } = await this.get(boardId);
    const name = periodIndexName(boardId, periodId);
    await this.index.clear(name);
    let indexing: Promise<void> = Promise.resolve();
    let page = await this.rebuildPage(boardId, periodId, BEFORE_EVERY_PLAYER);
    while (page.length > 0) {
      const previous = indexing;
      // Sent while the index may still be busy with the previous page, and the next page is read meanwhile,
      // so the database, this process and Redis all keep working.
      indexing = this.index.putMany(name, page.map((row) => [row.player_id, sortedSetEntry(rankedOf(row), sortOrder)] as const));
      indexing.catch(() => undefined); // awaited on the next turn: a failure until then is not an unhandled one
      const next = page.length < REBUILD_PAGE ? [] : this.rebuildPage(boardId, periodId, page.at(-1)!.player_id);
      [, page] = await Promise.all([previous, next]);
    }
    await indexing;
  }

  /** Up to REBUILD_PAGE records of a period with a player id after `after`, in player id order. */
  private async rebuildPage(boardId: string, periodId: number, after: string): Promise<RankedRow[]> {
    const { rows } = await this.db.query<RankedRow>(
      `SELECT player_id, score::float8 AS score, subscore::float8 AS subscore, attempts, updated_ms::float8 AS updated_ms
       FROM leaderboard_records WHERE board_id = $1 AND period_id = $2 AND attempts > 0 AND player_id > $3
       ORDER BY player_id LIMIT $4`,
      [boardId, periodId, after, REBUILD_PAGE],
    );
    return rows;
  }

  /**
   * The index name of the chosen period, rebuilt first when it is empty but the database has records (a new
   * Redis, a restarted memory node). Counting on every read would cost a scan of the period on large boards.
   */
  private async indexed(boardId: string, choice: PeriodChoice): Promise<{ name: string; periodId: number }> {
    const definition = await this.get(boardId);
    const current = periodAt(definition, this.clock()).id;
    const periodId = choice.periodId ?? current;
    const name = periodIndexName(boardId, periodId);
    const now = this.clock().getTime();
    if (now - (this.seenFilled.get(name) ?? -Infinity) < FILLED_RECHECK_MS) return { name, periodId };
    let filling = this.filling.get(name);
    if (!filling) {
      filling = this.fill(boardId, periodId, periodId !== current, now).finally(() => this.filling.delete(name));
      this.filling.set(name, filling);
    }
    await filling;
    return { name, periodId };
  }

  /** Rebuilds the period's index when it is empty but the database has records; remembers a filled index. */
  private async fill(boardId: string, periodId: number, ended: boolean, now: number): Promise<void> {
    const name = periodIndexName(boardId, periodId);
    if ((await this.index.size(name)) === 0) {
      const { rows } = await this.db.query(
        'SELECT 1 FROM leaderboard_records WHERE board_id = $1 AND period_id = $2 AND attempts > 0 LIMIT 1',
        [boardId, periodId],
      );
      if (rows.length === 0) return;
      await this.rebuild(boardId, periodId);
      if (ended) await this.index.expire(name, CLOSED_INDEX_TTL_SECONDS);
    }
    if (this.seenFilled.size >= MAX_FILLED_MEMOS) this.seenFilled.clear();
    this.seenFilled.set(name, now);
  }

  private async entriesAt(boardId: string, key: { name: string; periodId: number }, start: number, count: number): Promise<LeaderboardEntry[]> {
    const players = await this.index.range(key.name, start, count);
    const byPlayer = await this.records(boardId, key.periodId, players);
    return players.flatMap((playerId, offset) => {
      const row = byPlayer.get(playerId);
      return row ? [entryOf(row, start + offset)] : [];
    });
  }

  /** The records of some players in one period, with their display names. */
  private async records(boardId: string, periodId: number, playerIds: readonly string[]): Promise<Map<string, RecordRow>> {
    if (playerIds.length === 0) return new Map();
    const { rows } = await this.db.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM leaderboard_records r JOIN players p ON p.id = r.player_id
       WHERE r.board_id = $1 AND r.period_id = $2 AND r.player_id = ANY($3::uuid[])`,
      [boardId, periodId, playerIds],
    );
    return new Map(rows.map((row) => [row.player_id, row]));
  }

  /** Inserts a definition unless one of that id exists; true when this call made it. */
  private async insertDefinition(db: Queryable, definition: LeaderboardDefinition): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO leaderboards (id, sort_order, operator, reset_schedule, duration_seconds, max_size)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [definition.id, definition.sortOrder, definition.operator, definition.resetSchedule ?? null, definition.durationSeconds ?? null, definition.maxSize ?? null],
    );
    return rowCount === 1;
  }

  /** One attempt on the player's record of a period, in the caller's transaction; returns the record after it. */
  private async applyIn(
    tx: Queryable,
    definition: LeaderboardDefinition,
    periodId: number,
    playerId: string,
    attempt: Attempt,
    now: Date,
    metadata?: Record<string, unknown>,
  ): Promise<RankedRecord> {
    // A placeholder row (attempts 0) gives a first attempt a row to lock, so two first attempts serialize.
    const inserted = await tx.query(
      `INSERT INTO leaderboard_records (board_id, period_id, player_id, score, subscore, attempts, updated_ms)
       VALUES ($1, $2, $3, 0, 0, 0, 0) ON CONFLICT DO NOTHING`,
      [definition.id, periodId, playerId],
    );
    if (inserted.rowCount === 1 && definition.maxSize !== undefined) await this.refuseWhenFull(tx, definition, periodId);
    const { rows } = await tx.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM leaderboard_records r JOIN players p ON p.id = r.player_id
       WHERE r.board_id = $1 AND r.period_id = $2 AND r.player_id = $3 FOR UPDATE OF r`,
      [definition.id, periodId, playerId],
    );
    const held = rows[0]!;
    const { record } = applyAttempt(definition, held.attempts > 0 ? rankedOf(held) : undefined, attempt, now.getTime());
    await tx.query(
      `UPDATE leaderboard_records SET score = $4, subscore = $5, attempts = $6, updated_ms = $7, metadata = COALESCE($8, metadata)
       WHERE board_id = $1 AND period_id = $2 AND player_id = $3`,
      [definition.id, periodId, playerId, record.score, record.subscore, record.attempts, record.updatedAt, metadata === undefined ? null : JSON.stringify(metadata)],
    );
    return { ...record, playerId };
  }

  private async refuseWhenFull(tx: Queryable, definition: LeaderboardDefinition, periodId: number): Promise<void> {
    // Serializes new entrants of a capped board so two of them cannot both take the last place.
    await tx.query('SELECT id FROM leaderboards WHERE id = $1 FOR UPDATE', [definition.id]);
    const { rows } = await tx.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM leaderboard_records WHERE board_id = $1 AND period_id = $2 AND attempts > 0',
      [definition.id, periodId],
    );
    if (rows[0]!.count >= definition.maxSize!) throw new LeaderboardError('board_full', `leaderboard ${definition.id} holds its maximum of ${definition.maxSize} records`);
  }
}
