import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import type { GameSettings } from '../games/index.js';
import type { Database, Queryable } from '../store/index.js';
import type { FinishedGame, GameRecorder, StartedGame } from './types.js';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

/** game_replays.format: the src/games replay record, deflated. */
const REPLAY_FORMAT = 1;

/** Rates a finished game inside the transaction that records it. */
export type RateGame = (tx: Queryable, gameId: string, results: FinishedGame) => Promise<unknown>;

/** What replays a recorded match (with the mode registry's `replay`). */
export interface RecordedReplay {
  gameMode: string;
  seed: number;
  settings: GameSettings;
  record: Uint8Array;
  /** The results stored when the match finished. */
  results: Omit<FinishedGame, 'replay'>;
}

/**
 * Games in the games table: a row with its seed and settings when a match starts, results and the replay record
 * when it finishes (rated in the same transaction), `aborted` otherwise.
 */
export class SqlGameRecorder implements GameRecorder {
  constructor(
    private readonly db: Database,
    private readonly rate: RateGame,
  ) {}

  async start(match: StartedGame): Promise<string> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO games (room_id, status, game_mode, region, started_at, seed, settings)
       VALUES ($1, 'in_progress', $2, $3, now(), $4, $5) RETURNING id`,
      [match.roomId, match.gameMode, match.region, match.seed, JSON.stringify(match.settings)],
    );
    return rows[0]!.id;
  }

  async finish(gameId: string, results: FinishedGame): Promise<void> {
    const { replay, ...stored } = results;
    // Compressed off the event loop's thread before the transaction, so the transaction stays short.
    const record = replay && (await deflateAsync(replay));
    await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE games SET status = 'finished', finished_at = now(), results = $2 WHERE id = $1`, [
        gameId,
        JSON.stringify(stored),
      ]);
      if (record) {
        await tx.query('INSERT INTO game_replays (game_id, format, record) VALUES ($1, $2, $3) ON CONFLICT (game_id) DO NOTHING', [
          gameId,
          REPLAY_FORMAT,
          record,
        ]);
      }
      await this.rate(tx, gameId, results);
    });
  }

  async abort(gameId: string): Promise<void> {
    await this.db.query(`UPDATE games SET status = 'aborted', finished_at = now() WHERE id = $1 AND status = 'in_progress'`, [
      gameId,
    ]);
  }

  /** The replay of a finished game; undefined when it has none (unfinished, or its record outgrew its bound). */
  async replayOf(gameId: string): Promise<RecordedReplay | undefined> {
    const { rows } = await this.db.query<{
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
}
