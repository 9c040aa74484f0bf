import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import type { Logger } from 'pino';
import type { GameSettings } from '../games/index.js';
import type { Database, Queryable } from '../store/index.js';
import type { FinishedGame, GameRecorder, StartedGame } from './types.js';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

/** game_replays.format: the src/games replay record, deflated. */
const REPLAY_FORMAT = 1;

/** What to do once a finished game's transaction has committed: ranks in Redis, notices to players. */
export type AfterCommit = () => Promise<void>;
/** Rates a finished game inside the transaction that records it; returns what must wait for the commit. */
export type RateGame = (tx: Queryable, gameId: string, results: Pick<FinishedGame, 'players'>) => Promise<AfterCommit | undefined>;

/** The outbox kinds of game records, and what each carries (JSON: times in ms, the replay deflated, base64). */
export const GAME_RECORD = {
  started: 'game.started',
  finished: 'game.finished',
  aborted: 'game.aborted',
  /** A finished game of a tournament match, for the tournament (src/tournaments writes it). */
  tournamentGame: 'game.tournament',
} as const;

/** The `game.tournament` record: which match's room played which game, and how it ended. */
export interface TournamentGamePayload {
  tournamentId: string;
  matchId: string;
  roomId: string;
  gameId: string;
  players: FinishedGame['players'];
}

interface GameRow extends StartedGame {
  gameId: string;
  node: string;
  startedAt: number;
}
interface FinishedPayload extends GameRow {
  finishedAt: number;
  results: Omit<FinishedGame, 'replay'>;
  replay: string | null;
}
interface AbortedPayload extends GameRow {
  abortedAt: number;
  reason: string;
}

/** Where records go first: durably journaled, then written by the writers below (src/outbox). */
export interface RecordOutbox {
  put(kind: string, key: string, payload: unknown): Promise<void>;
}

/** What replays a recorded match (with the mode registry's `replay`). */
export interface RecordedReplay {
  gameMode: string;
  seed: number;
  settings: GameSettings;
  record: Uint8Array;
  /** The results stored when the match finished. */
  results: Omit<FinishedGame, 'replay'>;
}

/** Inserts the game's row unless it exists: every record carries the whole game, so any of them can come first. */
async function insertGame(tx: Queryable, game: GameRow, status: 'in_progress' | 'finished' | 'aborted'): Promise<void> {
  await tx.query(
    `INSERT INTO games (id, room_id, status, game_mode, region, started_at, seed, settings, node)
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
    [game.gameId, game.roomId, status, game.gameMode, game.region, game.startedAt, game.seed, JSON.stringify(game.settings), game.node],
  );
}

/**
 * The outbox's writers of game records. Each is idempotent by the game id (the outbox delivers at least once):
 * a finish is written and rated once however often it is retried (`games.rated_at`), an abort never undoes a
 * finish, and a late start changes nothing.
 */
export function gameRecordWriters(db: Database, rate: RateGame): Record<string, (payload: unknown) => Promise<void>> {
  return {
    [GAME_RECORD.started]: async (payload) => {
      await insertGame(db, payload as GameRow, 'in_progress');
    },
    [GAME_RECORD.finished]: async (payload) => {
      const game = payload as FinishedPayload;
      const afterCommit = await db.transaction(async (tx) => {
        await insertGame(tx, game, 'in_progress');
        // An abort recorded meanwhile (e.g. by the orphan check) gives way to the results.
        await tx.query(
          `UPDATE games SET status = 'finished', finished_at = to_timestamp($2 / 1000.0), results = $3, end_reason = $4
           WHERE id = $1 AND status <> 'finished'`,
          [game.gameId, game.finishedAt, JSON.stringify(game.results), game.results.reason],
        );
        if (game.replay) {
          await tx.query('INSERT INTO game_replays (game_id, format, record) VALUES ($1, $2, $3) ON CONFLICT (game_id) DO NOTHING', [
            game.gameId,
            REPLAY_FORMAT,
            Buffer.from(game.replay, 'base64'),
          ]);
        }
        return rate(tx, game.gameId, game.results);
      });
      await afterCommit?.();
    },
    [GAME_RECORD.aborted]: async (payload) => {
      const game = payload as AbortedPayload;
      await db.transaction(async (tx) => {
        await insertGame(tx, game, 'in_progress');
        await tx.query(
          `UPDATE games SET status = 'aborted', finished_at = to_timestamp($2 / 1000.0), end_reason = $3 WHERE id = $1 AND status = 'in_progress'`,
          [game.gameId, game.abortedAt, game.reason],
        );
      });
    },
  };
}

/**
 * Games in the games table, through the outbox: a row when a match starts, results and the replay record when
 * it finishes (rated in the same transaction), `aborted` otherwise. Game ids are made here, so a match that
 * starts or ends while PostgreSQL is down is recorded all the same once it is back.
 */
export class SqlGameRecorder implements GameRecorder {
  /** Matches started here and not yet ended, by game id. */
  private readonly open = new Map<string, GameRow>();

  constructor(
    private readonly db: Database,
    private readonly outbox: RecordOutbox,
    private readonly node: string,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  start(match: StartedGame): string {
    const game: GameRow = { ...match, gameId: randomUUID(), node: this.node, startedAt: this.now() };
    this.open.set(game.gameId, game);
    this.outbox.put(GAME_RECORD.started, `${game.gameId}:started`, game).catch((error: unknown) => {
      // The finish carries the whole game, so a lost start only hides the match while it is played.
      this.logger.error({ err: error, game: game.gameId }, 'journaling a started game failed');
    });
    return game.gameId;
  }

  adopt(gameId: string, match: StartedGame, startedAt: number): void {
    // The row was written by the node that started the match; only its end is written from here.
    this.open.set(gameId, { ...match, gameId, node: this.node, startedAt });
  }

  async finish(gameId: string, results: FinishedGame): Promise<void> {
    const game = this.take(gameId);
    const { replay, ...stored } = results;
    const finishedAt = this.now();
    // Compressed off the event loop's thread.
    const record = replay && (await deflateAsync(replay));
    const payload: FinishedPayload = { ...game, finishedAt, results: stored, replay: record ? record.toString('base64') : null };
    await this.outbox.put(GAME_RECORD.finished, `${gameId}:ended`, payload);
    if (game.tournamentMatch) {
      const report: TournamentGamePayload = { ...game.tournamentMatch, roomId: game.roomId, gameId, players: results.players };
      await this.outbox.put(GAME_RECORD.tournamentGame, `${gameId}:tournament`, report);
    }
  }

  async abort(gameId: string): Promise<void> {
    const game = this.take(gameId);
    const payload: AbortedPayload = { ...game, abortedAt: this.now(), reason: 'room_closed' };
    await this.outbox.put(GAME_RECORD.aborted, `${gameId}:ended`, payload);
  }

  /**
   * Closes the games a previous run of this node left in progress (it died mid-match): those started here
   * before `startedAt`, this run's start. Call it once the outbox holds nothing from that run, so none of its
   * records is still on the way. Returns how many it closed.
   */
  async closeOrphans(startedAt: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE games SET status = 'aborted', finished_at = now(), end_reason = 'server_restarted'
       WHERE status = 'in_progress' AND node = $1 AND started_at < to_timestamp($2 / 1000.0)`,
      [this.node, startedAt],
    );
    return rowCount;
  }

  private take(gameId: string): GameRow {
    const game = this.open.get(gameId);
    if (!game) throw new RangeError(`game ${gameId} was not started here or has already ended`);
    this.open.delete(gameId);
    return game;
  }
}

/** The replay of a finished game; undefined when it has none (unfinished, or its record outgrew its bound). */
export async function replayOf(db: Queryable, gameId: string): Promise<RecordedReplay | undefined> {
  const { rows } = await db.query<{
    game_mode: string;
    seed: string | number;
    settings: GameSettings;
    results: RecordedReplay['results'];
    format: number;
    record: Uint8Array;
  }>(
    `SELECT g.game_mode, g.seed, g.settings, g.results, r.format, r.record
     FROM games g JOIN game_replays r ON r.game_id = g.id WHERE g.id = $1`,
    [gameId],
  );
  const row = rows[0];
  if (!row || row.format !== REPLAY_FORMAT) return undefined;
  return {
    gameMode: row.game_mode,
    seed: Number(row.seed),
    settings: row.settings,
    results: row.results,
    record: new Uint8Array(await inflateAsync(row.record)),
  };
}
