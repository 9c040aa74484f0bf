import type { AuditEntry, AuditPage } from '../api/index.js';
import type { Queryable } from '../store/index.js';

/** Who did an action: the admin's id and the name they had then. */
export interface Actor {
  id: string;
  name: string;
}

export interface AuditRecord {
  action: string;
  targetType: string;
  targetId: string | null;
  details?: Record<string, unknown>;
}

interface AuditRow {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  details: Record<string, unknown> | null;
}

/** The operators' audit log in SQL: append-only, read newest first in pages keyed by id. */
export class AuditLog {
  constructor(private readonly db: Queryable) {}

  async record(actor: Actor, entry: AuditRecord): Promise<void> {
    await this.db.query(
      'INSERT INTO audit_log (actor_id, actor_name, action, target_type, target_id, details) VALUES ($1, $2, $3, $4, $5, $6)',
      [actor.id, actor.name, entry.action, entry.targetType, entry.targetId, entry.details === undefined ? null : JSON.stringify(entry.details)],
    );
  }

  async page(query: { limit: number; before?: number | undefined }): Promise<AuditPage> {
    // One more than asked tells whether an older page exists.
    const { rows } = await this.db.query<AuditRow>(
      `SELECT id, at, actor_id, actor_name, action, target_type, target_id, details FROM audit_log
       WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
      [query.before ?? null, query.limit + 1],
    );
    const entries = rows.slice(0, query.limit).map(toEntry);
    return { entries, next_before: rows.length > query.limit ? entries[entries.length - 1]!.id : null };
  }
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: Number(row.id),
  at: row.at.toISOString(),
  actor_id: row.actor_id,
  actor_name: row.actor_name,
  action: row.action,
  target_type: row.target_type,
  target_id: row.target_id,
  details: row.details,
});
