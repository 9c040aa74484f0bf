import type { Database, Queryable } from '../store/index.js';
import { validateDefinition, type LeaderboardDefinition } from './definition.js';
import { LeaderboardError } from './errors.js';
import { periodAt, writablePeriod, type Period } from './periods.js';
import type { RankIndex } from './rank-index.js';
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

const definitionOf = (row: DefinitionRow): LeaderboardDefinition => ({
  id: row.id,
  sortOrder: row.sort_order,
  operator: row.operator,
  ...(row.reset_schedule !== null ? { resetSchedule: row.reset_schedule } : {}),
  ...(row.duration_seconds !== null ? { durationSeconds: row.duration_seconds } : {}),
  ...(row.max_size !== null ? { maxSize: row.max_size } : {}),
});

const rankedOf = (row: RecordRow): RankedRecord => ({
  playerId: row.player_id,
  score: row.score,
  subscore: row.subscore,
  attempts: row.attempts,
  updatedAt: row.updated_ms,
});

const indexKey = (boardId: string, periodId: number) => `${boardId}:${periodId}`;

/**
 * Leaderboards: definitions and records in the database (the source of truth, one row per player and period),
 * ranks from a rank index that is rebuilt from those rows when a read finds it empty.
 */
export class Leaderboards {
  constructor(
    private readonly db: Database,
    private readonly index: RankIndex,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(definition: LeaderboardDefinition): Promise<LeaderboardDefinition> {
    validateDefinition(definition);
    const { rowCount } = await this.db.query(
      `INSERT INTO leaderboards (id, sort_order, operator, reset_schedule, duration_seconds, max_size)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [definition.id, definition.sortOrder, definition.operator, definition.resetSchedule ?? null, definition.durationSeconds ?? null, definition.maxSize ?? null],
    );
    if (rowCount === 0) throw new LeaderboardError('board_exists', `a leaderboard named ${definition.id} already exists`);
    return definition;
  }

  async list(): Promise<LeaderboardDefinition[]> {
    const { rows } = await this.db.query<DefinitionRow>('SELECT * FROM leaderboards ORDER BY id');
    return rows.map(definitionOf);
  }

  async get(boardId: string, db: Queryable = this.db): Promise<LeaderboardDefinition> {
    const { rows } = await db.query<DefinitionRow>('SELECT * FROM leaderboards WHERE id = $1', [boardId]);
    if (!rows[0]) throw new LeaderboardError('board_not_found', `no leaderboard named ${boardId}`);
    return definitionOf(rows[0]);
  }

  /** The board and the chosen period (the current one unless `periodId` names an older one). */
  async periodOf(boardId: string, choice: PeriodChoice = {}): Promise<{ definition: LeaderboardDefinition; period: Period }> {
    const definition = await this.get(boardId);
    const at = choice.periodId === undefined || definition.resetSchedule === undefined ? this.clock() : new Date(choice.periodId * 1000);
    return { definition, period: periodAt(definition, at) };
  }

  /** Applies one attempt of a player to the board's current period and returns the player's entry after it. */
  async submit(boardId: string, playerId: string, attempt: Attempt, metadata?: Record<string, unknown>): Promise<LeaderboardEntry> {
    if (metadata !== undefined && JSON.stringify(metadata).length > METADATA_LIMIT_BYTES) {
      throw new LeaderboardError('invalid_score', `metadata must stay under ${METADATA_LIMIT_BYTES} bytes of JSON`);
    }
    const now = this.clock();
    const { definition, periodId, record } = await this.db.transaction(async (tx) => {
      const definition = await this.get(boardId, tx);
      const periodId = writablePeriod(definition, now).id;
      // A placeholder row (attempts 0) gives a first attempt a row to lock, so two first attempts serialize.
      const inserted = await tx.query(
        `INSERT INTO leaderboard_records (board_id, period_id, player_id, score, subscore, attempts, updated_ms)
         VALUES ($1, $2, $3, 0, 0, 0, 0) ON CONFLICT DO NOTHING`,
        [boardId, periodId, playerId],
      );
      if (inserted.rowCount === 1 && definition.maxSize !== undefined) await this.refuseWhenFull(tx, definition, periodId);
      const { rows } = await tx.query<RecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM leaderboard_records r JOIN players p ON p.id = r.player_id
         WHERE r.board_id = $1 AND r.period_id = $2 AND r.player_id = $3 FOR UPDATE OF r`,
        [boardId, periodId, playerId],
      );
      const held = rows[0]!;
      const { record } = applyAttempt(definition, held.attempts > 0 ? rankedOf(held) : undefined, attempt, now.getTime());
      await tx.query(
        `UPDATE leaderboard_records SET score = $4, subscore = $5, attempts = $6, updated_ms = $7, metadata = COALESCE($8, metadata)
         WHERE board_id = $1 AND period_id = $2 AND player_id = $3`,
        [boardId, periodId, playerId, record.score, record.subscore, record.attempts, record.updatedAt, metadata === undefined ? null : JSON.stringify(metadata)],
      );
      return { definition, periodId, record: { ...record, playerId } };
    });
    // After the commit: a crash in between leaves the index short of this record until the period is rebuilt.
    const key = { name: indexKey(boardId, periodId), periodId };
    await this.index.put(key.name, playerId, sortedSetEntry(record, definition.sortOrder));
    const rank = await this.index.rankOf(key.name, playerId);
    return (await this.entriesAt(boardId, key, rank!, 1))[0]!;
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

  /** The player's entry with up to `radius` entries above and below; empty when the player has no record. */
  async around(boardId: string, playerId: string, radius = 5, choice: PeriodChoice = {}): Promise<LeaderboardEntry[]> {
    const key = await this.indexed(boardId, choice);
    const rank = await this.index.rankOf(key.name, playerId);
    if (rank === undefined) return [];
    const k = Math.min(Math.max(0, radius), Math.floor(MAX_PAGE / 2));
    const start = Math.max(0, rank - k);
    return this.entriesAt(boardId, key, start, rank - start + k + 1);
  }

  /** Replaces the index of one period with the database's rows. */
  async rebuild(boardId: string, periodId: number): Promise<void> {
    const definition = await this.get(boardId);
    const name = indexKey(boardId, periodId);
    const { rows } = await this.db.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM leaderboard_records r JOIN players p ON p.id = r.player_id
       WHERE r.board_id = $1 AND r.period_id = $2 AND r.attempts > 0`,
      [boardId, periodId],
    );
    await this.index.clear(name);
    for (const row of rows) await this.index.put(name, row.player_id, sortedSetEntry(rankedOf(row), definition.sortOrder));
  }

  /**
   * The index name of the chosen period, rebuilt first when it is empty but the database has records (a new
   * Redis, a restarted memory node). Counting on every read would cost a scan of the period on large boards.
   */
  private async indexed(boardId: string, choice: PeriodChoice): Promise<{ name: string; periodId: number }> {
    const definition = await this.get(boardId);
    const periodId = choice.periodId ?? periodAt(definition, this.clock()).id;
    const name = indexKey(boardId, periodId);
    if ((await this.index.size(name)) === 0) {
      const { rows } = await this.db.query(
        'SELECT 1 FROM leaderboard_records WHERE board_id = $1 AND period_id = $2 AND attempts > 0 LIMIT 1',
        [boardId, periodId],
      );
      if (rows.length > 0) await this.rebuild(boardId, periodId);
    }
    return { name, periodId };
  }

  private async entriesAt(boardId: string, key: { name: string; periodId: number }, start: number, count: number): Promise<LeaderboardEntry[]> {
    const players = await this.index.range(key.name, start, count);
    if (players.length === 0) return [];
    const { rows } = await this.db.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM leaderboard_records r JOIN players p ON p.id = r.player_id
       WHERE r.board_id = $1 AND r.period_id = $2 AND r.player_id = ANY($3::uuid[])`,
      [boardId, key.periodId, players],
    );
    const byPlayer = new Map(rows.map((row) => [row.player_id, row]));
    return players.flatMap((playerId, offset) => {
      const row = byPlayer.get(playerId);
      if (!row) return [];
      return [{ rank: start + offset + 1, playerId, displayName: row.display_name, score: row.score, subscore: row.subscore, attempts: row.attempts, updatedAt: new Date(row.updated_ms), metadata: row.metadata }];
    });
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
