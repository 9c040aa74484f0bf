import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config/index.js';
import { DatabaseUnavailableError, migrate, MIGRATIONS, openDatabase, type Database } from '../src/store/index.js';
import { PgliteDatabase } from '../src/store/pglite.js';
import { PostgresDatabase } from '../src/store/postgres.js';
import { dropIsolation, testConfig } from './support/server.js';

interface Driver {
  name: string;
  /** False when the backend is not configured in this run: its suite is skipped. */
  available: boolean;
  backend: Database['backend'];
  implementation: typeof PgliteDatabase | typeof PostgresDatabase;
  /** A configuration on this backend alone, with a schema of its own. */
  config(): Config;
}

const drivers: Driver[] = [
  {
    name: 'PGlite',
    available: true,
    backend: 'pglite',
    implementation: PgliteDatabase,
    config: () => testConfig({ DATABASE_URL: '', REDIS_URL: '' }),
  },
  {
    name: 'PostgreSQL',
    available: Boolean(process.env.DATABASE_URL),
    backend: 'postgres',
    implementation: PostgresDatabase,
    config: () => testConfig({ REDIS_URL: '' }),
  },
];

for (const driver of drivers) {
  describe.skipIf(!driver.available)(driver.name, () => {
    let config: Config;
    let db: Database;

    beforeAll(async () => {
      config = driver.config();
      db = await openDatabase(config.database);
    });
    afterAll(async () => {
      await db?.close();
      if (config) await dropIsolation(config);
    });

    it('is what openDatabase gives for the configuration', () => {
      expect(db.backend).toBe(driver.backend);
      expect(db).toBeInstanceOf(driver.implementation);
    });

    it('migrates once; running the migrations again changes nothing', async () => {
      expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(db)).toEqual([]);
      await Promise.all([migrate(db), migrate(db)]);
      const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('creates the tables and the seed indexes in its own schema', async () => {
      const { rows: tables } = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [config.database.schema],
      );
      expect(tables.map((t) => t.table_name)).toEqual(['audit_log', 'game_replays', 'games', 'leaderboard_periods', 'leaderboard_records', 'leaderboards', 'league_members', 'league_players', 'league_results', 'league_seasons', 'player_bans', 'player_mode_ratings', 'players', 'rating_history', 'refresh_sessions', 'schema_migrations', 'tournament_events', 'tournaments']);
      const { rows: indexes } = await db.query<{ indexname: string; indexdef: string }>(
        'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1',
        [config.database.schema],
      );
      const byName = Object.fromEntries(indexes.map((i) => [i.indexname, i.indexdef]));
      expect(byName.idx_players_online_rating).toMatch(/\(is_online, skill_rating\)/);
      expect(byName.idx_games_status_created).toMatch(/\(status, created_at DESC\)/);
      expect(byName.idx_tournaments_status).toMatch(/\(status, created_at DESC\)/);
    });

    it('enforces unique emails and records games with results', async () => {
      await db.query(`INSERT INTO players (email, display_name, password_hash) VALUES ($1, 'A', 'x')`, ['a@example.com']);
      await expect(
        db.query(`INSERT INTO players (email, display_name, password_hash) VALUES ($1, 'B', 'y')`, ['a@example.com']),
      ).rejects.toThrow(/duplicate key/);
      const { rows } = await db.query<{ id: string; results: unknown; status: string }>(
        `INSERT INTO games (game_mode, region, status, finished_at, results)
         VALUES ($1, $2, 'finished', now(), $3) RETURNING id, results, status`,
        ['deathmatch', 'us-east', JSON.stringify({ winner: 'a', scores: { a: 10 } })],
      );
      expect(rows[0]).toMatchObject({ status: 'finished', results: { winner: 'a', scores: { a: 10 } } });
      await expect(db.query(`INSERT INTO games (game_mode, status) VALUES ('dm', 'bogus')`)).rejects.toThrow(/check constraint/);
    });

    it('treats parameters as values, never as SQL', async () => {
      const hostile = `x'); DROP TABLE players; --`;
      await db.query(`INSERT INTO players (display_name, is_guest) VALUES ($1, true)`, [hostile]);
      const { rows } = await db.query<{ display_name: string }>('SELECT display_name FROM players WHERE display_name = $1', [hostile]);
      expect(rows).toEqual([{ display_name: hostile }]);
    });

    it('reports the rows a statement changed', async () => {
      await db.query(`INSERT INTO games (game_mode) VALUES ('counted'), ('counted')`);
      const updated = await db.query(`UPDATE games SET region = 'eu' WHERE game_mode = $1`, ['counted']);
      expect(updated.rowCount).toBe(2);
      const none = await db.query(`DELETE FROM games WHERE game_mode = $1`, ['no-such-mode']);
      expect(none).toEqual({ rows: [], rowCount: 0 });
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      expect(await db.transaction(async (tx) => (await tx.query(`INSERT INTO games (game_mode) VALUES ('committed')`)).rowCount)).toBe(1);
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO games (game_mode) VALUES ('rolled-back')`);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const { rows } = await db.query<{ game_mode: string }>(
        `SELECT game_mode FROM games WHERE game_mode IN ('committed', 'rolled-back')`,
      );
      expect(rows.map((r) => r.game_mode)).toEqual(['committed']);
    });

    it('rolls back a transaction whose statement fails', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO games (game_mode) VALUES ('half-done')`);
          await tx.query(`INSERT INTO games (game_mode, status) VALUES ('half-done', 'bogus')`);
        }),
      ).rejects.toThrow(/check constraint/);
      expect((await db.query(`SELECT 1 FROM games WHERE game_mode = 'half-done'`)).rows).toEqual([]);
    });

    it('reports a closed database as unavailable', async () => {
      const other = await openDatabase({ ...config.database, schema: `${config.database.schema}_closed` });
      await other.query(`DROP SCHEMA ${config.database.schema}_closed`);
      await other.close();
      await expect(other.ping()).rejects.toThrow();
      if (driver.backend === 'pglite') await expect(other.ping()).rejects.toThrow(DatabaseUnavailableError);
    });
  });
}

describe('unreachable PostgreSQL', () => {
  it('fails at start with a clear error naming the server', async () => {
    const settings = { ...testConfig().database, url: 'postgres://postgres@127.0.0.1:1/test' };
    await expect(openDatabase(settings)).rejects.toThrow(DatabaseUnavailableError);
    await expect(openDatabase(settings)).rejects.toThrow(/cannot use PostgreSQL at 127\.0\.0\.1:1\/test/);
  });
});
