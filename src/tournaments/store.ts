import { randomUUID } from 'node:crypto';
import type { TournamentEvent, TournamentSettings, TournamentStatus, TournamentSummary } from '../api/tournaments.js';
import type { Database, Queryable } from '../store/index.js';
import { TournamentError } from './errors.js';
import type { TournamentEventData, TournamentEventRecord } from './events.js';
import { Tournament } from './tournament.js';

export interface TournamentFilter {
  status?: TournamentStatus;
  gameMode?: string;
  limit: number;
  offset: number;
}

/** What a command did: the tournament after it, and the rooms its matches had before (to close the ones gone). */
export interface CommandOutcome {
  tournament: Tournament;
  applied: TournamentEventRecord[];
  roomsBefore: ReadonlySet<string>;
}

interface EventRow {
  seq: number;
  type: string;
  actor: string;
  at_ms: string | number;
  data: Record<string, unknown>;
}

const toRecord = (row: EventRow): TournamentEventRecord => ({
  seq: row.seq,
  at: Number(row.at_ms),
  actor: row.actor,
  event: { type: row.type, ...row.data } as TournamentEventData,
});

/**
 * Tournaments in PostgreSQL: one row each (lock, version, list columns) and its event log. Every command runs in
 * one transaction holding the row lock, decides against the log up to date, appends its events and moves the
 * version on, so commands from any number of nodes are serialized per tournament and none is lost or doubled.
 * Folded tournaments are kept in memory and caught up from the log before each use.
 */
export class TournamentStore {
  private readonly loaded = new Map<string, Tournament>();
  private readonly listeners: ((outcome: CommandOutcome) => Promise<void>)[] = [];

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  /** Hears every command that appended events, after its commit; the command returns once listeners are done. */
  onCommitted(listener: (outcome: CommandOutcome) => Promise<void>): void {
    this.listeners.push(listener);
  }

  async create(owner: string, settings: TournamentSettings): Promise<Tournament> {
    const id = randomUUID();
    const tournament = new Tournament(id);
    const record: TournamentEventRecord = { seq: 1, at: this.now(), actor: owner, event: { type: 'created', settings, owner } };
    tournament.apply(record);
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO tournaments (id, owner_id, name, game_mode, status, version, starts_at, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, owner, settings.name, settings.game_mode, tournament.status, tournament.version, settings.starts_at ?? null, JSON.stringify(tournament.summary())],
      );
      await this.insertEvents(tx, id, [record]);
    });
    this.loaded.set(id, tournament);
    return tournament;
  }

  /** The tournament, caught up with its log. */
  async load(id: string): Promise<Tournament> {
    return this.catchUp(this.db, id);
  }

  /**
   * Runs one command: `decide` sees the tournament as of its last event and returns the events to append (none:
   * nothing to do, e.g. a repeat). Errors it throws reach the caller and change nothing.
   */
  async execute(id: string, actor: string, decide: (tournament: Tournament) => TournamentEventData[]): Promise<CommandOutcome> {
    let outcome: CommandOutcome | undefined;
    try {
      outcome = await this.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ version: number }>('SELECT version FROM tournaments WHERE id = $1 FOR UPDATE', [id]);
        if (!rows[0]) throw notFound(id);
        const tournament = await this.catchUp(tx, id);
        const roomsBefore = new Set(tournament.openRooms().keys());
        const events = decide(tournament);
        const at = this.now();
        const applied = events.map((event, index): TournamentEventRecord => ({ seq: tournament.version + 1 + index, at, actor, event }));
        if (applied.length === 0) return { tournament, applied, roomsBefore };
        for (const record of applied) tournament.apply(record);
        await this.insertEvents(tx, id, applied);
        await tx.query(
          'UPDATE tournaments SET status = $2, version = $3, summary = $4, updated_at = now() WHERE id = $1',
          [id, tournament.status, tournament.version, JSON.stringify(tournament.summary())],
        );
        return { tournament, applied, roomsBefore };
      });
    } catch (error) {
      // The folded copy may hold events that did not commit: it is rebuilt from the log next time.
      this.loaded.delete(id);
      throw error;
    }
    if (outcome.applied.length > 0) await Promise.all(this.listeners.map((listener) => listener(outcome)));
    return outcome;
  }

  async list(filter: TournamentFilter): Promise<TournamentSummary[]> {
    const { rows } = await this.db.query<{ summary: TournamentSummary }>(
      `SELECT summary FROM tournaments
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR game_mode = $2)
       ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
      [filter.status ?? null, filter.gameMode ?? null, filter.limit, filter.offset],
    );
    return rows.map((row) => row.summary);
  }

  async events(id: string, after: number, limit: number): Promise<TournamentEvent[]> {
    await this.load(id);
    const records = await this.eventsAfter(this.db, id, after, limit);
    return records.map((record) => {
      const { type, ...data } = record.event;
      return { seq: record.seq, type, at: new Date(record.at).toISOString(), actor: record.actor, data };
    });
  }

  /** The running tournaments folded here (the sweep keeps every running one loaded). */
  cachedRunning(): Tournament[] {
    return [...this.loaded.values()].filter((tournament) => tournament.status === 'running');
  }

  /** Tournaments being played: the sweep's work list. */
  async running(): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>("SELECT id FROM tournaments WHERE status = 'running'");
    return rows.map((row) => row.id);
  }

  /** Tournaments still in registration whose start time has come. */
  async dueToStart(now: number): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      "SELECT id FROM tournaments WHERE status = 'registration' AND starts_at <= to_timestamp($1 / 1000.0)",
      [now],
    );
    return rows.map((row) => row.id);
  }

  private async catchUp(db: Queryable, id: string): Promise<Tournament> {
    let tournament = this.loaded.get(id);
    const records = await this.eventsAfter(db, id, tournament?.version ?? 0);
    if (!tournament) {
      if (records.length === 0) throw notFound(id);
      tournament = Tournament.replay(id, records);
      this.loaded.set(id, tournament);
    } else {
      // Another call may have caught the same copy up while this query ran.
      for (const record of records) if (record.seq === tournament.version + 1) tournament.apply(record);
    }
    return tournament;
  }

  private async eventsAfter(db: Queryable, id: string, after: number, limit?: number): Promise<TournamentEventRecord[]> {
    const { rows } = await db.query<EventRow>(
      `SELECT seq, type, actor, at_ms, data FROM tournament_events WHERE tournament_id = $1 AND seq > $2 ORDER BY seq
       ${limit === undefined ? '' : 'LIMIT $3'}`,
      limit === undefined ? [id, after] : [id, after, limit],
    );
    return rows.map(toRecord);
  }

  private async insertEvents(tx: Queryable, id: string, records: TournamentEventRecord[]): Promise<void> {
    for (const record of records) {
      const { type, ...data } = record.event;
      await tx.query('INSERT INTO tournament_events (tournament_id, seq, type, actor, at_ms, data) VALUES ($1, $2, $3, $4, $5, $6)', [
        id,
        record.seq,
        type,
        record.actor,
        record.at,
        JSON.stringify(data),
      ]);
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(id: string): TournamentError {
  return new TournamentError('tournament_not_found', `tournament ${id} does not exist`);
}

/** Ids are UUIDs; anything else cannot name a tournament (and must not reach a uuid column). */
export function assertTournamentId(id: string): void {
  if (!UUID.test(id)) throw notFound(id);
}
