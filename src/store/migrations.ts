import type { Database } from './types.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Versioned schema changes, applied in order and recorded in schema_migrations. Append new entries; never
 * edit one that has shipped.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'players, refresh sessions, games',
    sql: `
      CREATE TABLE players (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email          text UNIQUE CHECK (email = lower(email)),
        display_name   text NOT NULL,
        password_hash  text,
        is_guest       boolean NOT NULL DEFAULT false,
        skill_rating   double precision NOT NULL DEFAULT 1200,
        is_online      boolean NOT NULL DEFAULT false,
        created_at     timestamptz NOT NULL DEFAULT now(),
        last_login_at  timestamptz,
        CHECK (is_guest OR (email IS NOT NULL AND password_hash IS NOT NULL))
      );
      CREATE INDEX idx_players_online_rating ON players (is_online, skill_rating);

      -- One row per login: the refresh token family. Only the newest token (current_token_id) may be used;
      -- presenting an older one means it was stolen or replayed, and the whole session is revoked.
      CREATE TABLE refresh_sessions (
        id                uuid PRIMARY KEY,
        player_id         uuid NOT NULL REFERENCES players (id) ON DELETE CASCADE,
        current_token_id  uuid NOT NULL,
        generation        integer NOT NULL DEFAULT 1,
        created_at        timestamptz NOT NULL DEFAULT now(),
        rotated_at        timestamptz NOT NULL DEFAULT now(),
        expires_at        timestamptz NOT NULL,
        revoked_at        timestamptz,
        revoked_reason    text,
        client_ip         text,
        user_agent        text
      );
      CREATE INDEX idx_refresh_sessions_player ON refresh_sessions (player_id);

      CREATE TABLE games (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id      text,
        status       text NOT NULL DEFAULT 'waiting'
                     CHECK (status IN ('waiting', 'in_progress', 'finished', 'aborted')),
        game_mode    text NOT NULL,
        region       text NOT NULL DEFAULT 'default',
        created_at   timestamptz NOT NULL DEFAULT now(),
        started_at   timestamptz,
        finished_at  timestamptz,
        results      jsonb
      );
      CREATE INDEX idx_games_status_created ON games (status, created_at DESC);
    `,
  },
  {
    version: 2,
    name: 'ratings: games played, openskill mu/sigma, rating history',
    sql: `
      ALTER TABLE players ADD COLUMN games_played integer NOT NULL DEFAULT 0;
      ALTER TABLE players ADD COLUMN rating_mu double precision;
      ALTER TABLE players ADD COLUMN rating_sigma double precision;
      CREATE INDEX idx_players_rating ON players (skill_rating DESC);
      ALTER TABLE games ADD COLUMN rated_at timestamptz;

      -- One row per player per rated game; the key makes re-rating a game impossible.
      CREATE TABLE rating_history (
        game_id        uuid NOT NULL REFERENCES games (id) ON DELETE CASCADE,
        player_id      uuid NOT NULL REFERENCES players (id) ON DELETE CASCADE,
        game_mode      text NOT NULL,
        rating_kind    text NOT NULL,
        rating_before  double precision NOT NULL,
        rating_after   double precision NOT NULL,
        delta          double precision NOT NULL,
        mu             double precision,
        sigma          double precision,
        created_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (game_id, player_id)
      );
      CREATE INDEX idx_rating_history_player ON rating_history (player_id, created_at DESC);
    `,
  },
  {
    version: 3,
    name: 'game seeds and replays, ratings per game mode',
    sql: `
      -- What replays a match: its seed and settings here, its input record in game_replays.
      ALTER TABLE games ADD COLUMN seed bigint;
      ALTER TABLE games ADD COLUMN settings jsonb;

      CREATE TABLE game_replays (
        game_id     uuid PRIMARY KEY REFERENCES games (id) ON DELETE CASCADE,
        -- 1: src/games replay record, deflated.
        format      smallint NOT NULL,
        record      bytea NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      );

      -- A player's rating in each game mode (players.skill_rating stays the Elo rating of the Elo modes).
      CREATE TABLE player_mode_ratings (
        player_id     uuid NOT NULL REFERENCES players (id) ON DELETE CASCADE,
        game_mode     text NOT NULL,
        rating_kind   text NOT NULL,
        rating        double precision NOT NULL,
        mu            double precision,
        sigma         double precision,
        games_played  integer NOT NULL DEFAULT 0,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (player_id, game_mode)
      );
      CREATE INDEX idx_player_mode_ratings_board ON player_mode_ratings (game_mode, rating DESC);
    `,
  },
  {
    version: 4,
    name: 'games: hosting node and end reason',
    sql: `
      -- The node (process) that hosted the match, so a restarted node can close the games it left open.
      ALTER TABLE games ADD COLUMN node text;
      -- score_limit / time_limit for finished games; room_closed / server_restarted for aborted ones.
      ALTER TABLE games ADD COLUMN end_reason text;
      CREATE INDEX idx_games_open_by_node ON games (node) WHERE status = 'in_progress';
    `,
  },
  {
    version: 5,
    name: 'player roles, tournaments and their event logs',
    sql: `
      -- organizer: may run tournaments of their own; admin: may run any, and grant roles.
      ALTER TABLE players ADD COLUMN role text NOT NULL DEFAULT 'player' CHECK (role IN ('player', 'organizer', 'admin'));

      -- The event log is the tournament; this row is its lock (FOR UPDATE serializes commands), its version
      -- (the last event applied) and what lists filter on.
      CREATE TABLE tournaments (
        id          uuid PRIMARY KEY,
        owner_id    uuid NOT NULL REFERENCES players (id),
        name        text NOT NULL,
        game_mode   text NOT NULL,
        status      text NOT NULL CHECK (status IN ('registration', 'running', 'finished')),
        version     integer NOT NULL,
        starts_at   timestamptz,
        summary     jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX idx_tournaments_status ON tournaments (status, created_at DESC);

      CREATE TABLE tournament_events (
        tournament_id  uuid NOT NULL REFERENCES tournaments (id) ON DELETE CASCADE,
        seq            integer NOT NULL,
        type           text NOT NULL,
        actor          text NOT NULL,
        at_ms          bigint NOT NULL,
        data           jsonb NOT NULL,
        PRIMARY KEY (tournament_id, seq)
      );
    `,
  },
  {
    version: 6,
    name: 'leaderboards and their records per period',
    sql: `
      CREATE TABLE leaderboards (
        id                text PRIMARY KEY,
        sort_order        text NOT NULL CHECK (sort_order IN ('desc', 'asc')),
        operator          text NOT NULL CHECK (operator IN ('best', 'set', 'incr', 'decr')),
        reset_schedule    text,
        duration_seconds  integer,
        max_size          integer,
        created_at        timestamptz NOT NULL DEFAULT now()
      );

      -- The source of truth for ranks; Redis sorted sets are rebuilt from these rows. period_id is the period's
      -- start in epoch seconds (0 on a board that never resets), so old periods stay readable.
      CREATE TABLE leaderboard_records (
        board_id    text NOT NULL REFERENCES leaderboards (id) ON DELETE CASCADE,
        period_id   bigint NOT NULL,
        player_id   uuid NOT NULL REFERENCES players (id),
        score       bigint NOT NULL,
        subscore    bigint NOT NULL,
        attempts    integer NOT NULL,
        updated_ms  bigint NOT NULL,
        metadata    jsonb,
        PRIMARY KEY (board_id, period_id, player_id)
      );
    `,
  },
  {
    version: 7,
    name: 'leagues: seasons, members, results',
    sql: `
      -- A league is keyed by the game mode that feeds it. Its seasons run back to back, one active at a time.
      CREATE TABLE league_seasons (
        game_mode       text NOT NULL,
        id              integer NOT NULL CHECK (id > 0),
        starts_at       timestamptz NOT NULL,
        ends_at         timestamptz NOT NULL CHECK (ends_at > starts_at),
        status          text NOT NULL CHECK (status IN ('active', 'ended')),
        rolled_over_at  timestamptz,
        PRIMARY KEY (game_mode, id)
      );
      CREATE UNIQUE INDEX idx_league_seasons_active ON league_seasons (game_mode) WHERE status = 'active';

      -- Who plays a league. Season rows reference this rather than players, so a rollover writing them never waits
      -- on a players row that rating transactions hold; a game locks its players' rows here to run one at a time.
      CREATE TABLE league_players (
        game_mode  text NOT NULL,
        player_id  uuid NOT NULL REFERENCES players (id) ON DELETE CASCADE,
        joined_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (game_mode, player_id)
      );
      CREATE INDEX idx_league_players_player ON league_players (player_id);

      -- A player's standing in one season, seated in a cohort of its own rung. Rows of ended seasons are frozen:
      -- they are the final standings.
      CREATE TABLE league_members (
        game_mode          text NOT NULL,
        season_id          integer NOT NULL,
        player_id          uuid NOT NULL,
        tier               text NOT NULL,
        division           smallint,
        points             integer NOT NULL,
        placements_played  integer NOT NULL,
        hidden_rating      double precision NOT NULL,
        games_played       integer NOT NULL,
        cohort_id          text NOT NULL,
        PRIMARY KEY (game_mode, season_id, player_id),
        FOREIGN KEY (game_mode, season_id) REFERENCES league_seasons (game_mode, id) ON DELETE CASCADE,
        FOREIGN KEY (game_mode, player_id) REFERENCES league_players (game_mode, player_id) ON DELETE CASCADE
      );
      CREATE INDEX idx_league_members_cohort ON league_members (game_mode, season_id, cohort_id);
      CREATE INDEX idx_league_members_rung ON league_members (game_mode, season_id, tier, division);
      CREATE INDEX idx_league_members_player ON league_members (game_mode, player_id);

      -- What a season's end decided for each member; rank is NULL for a member still in placements.
      CREATE TABLE league_results (
        game_mode  text NOT NULL,
        season_id  integer NOT NULL,
        player_id  uuid NOT NULL,
        rank       integer CHECK (rank > 0),
        movement   text NOT NULL CHECK (movement IN ('promoted', 'relegated', 'stayed')),
        PRIMARY KEY (game_mode, season_id, player_id),
        FOREIGN KEY (game_mode, season_id, player_id) REFERENCES league_members (game_mode, season_id, player_id) ON DELETE CASCADE
      );
    `,
  },
  {
    version: 8,
    name: 'leaderboards: closed periods',
    sql: `
      -- One row per board period whose end was handled; its key makes the closing happen once across nodes.
      CREATE TABLE leaderboard_periods (
        board_id    text NOT NULL REFERENCES leaderboards (id) ON DELETE CASCADE,
        period_id   bigint NOT NULL,
        records     integer NOT NULL,
        closed_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (board_id, period_id)
      );
    `,
  },
  {
    version: 9,
    name: 'operators: bans and the audit log',
    sql: `
      -- At most one ban per player; until NULL is permanent. A lapsed ban stays until it is lifted or replaced.
      CREATE TABLE player_bans (
        player_id  uuid PRIMARY KEY REFERENCES players (id) ON DELETE CASCADE,
        reason     text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        until      timestamptz,
        banned_by  uuid REFERENCES players (id) ON DELETE SET NULL,
        banned_at  timestamptz NOT NULL DEFAULT now()
      );

      -- Every operator action, newest last; actor_name is kept as it was, the account may be renamed or gone.
      CREATE TABLE audit_log (
        id           bigserial PRIMARY KEY,
        at           timestamptz NOT NULL DEFAULT now(),
        actor_id     uuid REFERENCES players (id) ON DELETE SET NULL,
        actor_name   text,
        action       text NOT NULL,
        target_type  text NOT NULL,
        target_id    text,
        details      jsonb
      );
    `,
  },
];

/** Any fixed number: every node takes the same advisory lock so only one migrates at a time. */
const MIGRATION_LOCK = 0x67616d65;

/** Applies the migrations not yet recorded; safe to run on every start and from several nodes at once. */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version     integer PRIMARY KEY,
        name        text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const newlyApplied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await tx.query(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });
}
