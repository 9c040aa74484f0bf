import { Type, type Static } from 'typebox';
import { Role } from './players.js';
import { RoomDetails } from './rooms.js';

/** What an operator writes for an action: the players see it (kick, ban, end room) and the audit log keeps it. */
const Reason = Type.String({ minLength: 1, maxLength: 500, description: 'Why; shown to the players concerned and kept in the audit log' });

/** POST /api/admin/rooms/:id/end and POST /api/admin/players/:id/kick. */
export const AdminReasonRequest = Type.Object({ reason: Reason }, { additionalProperties: false });
export type AdminReasonRequest = Static<typeof AdminReasonRequest>;

/** POST /api/admin/players/:id/ban. */
export const BanRequest = Type.Object(
  {
    reason: Reason,
    until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the ban ends (in the future); null: permanent' }),
  },
  { additionalProperties: false },
);
export type BanRequest = Static<typeof BanRequest>;

export const Ban = Type.Object({
  reason: Type.String(),
  until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** The admin who banned, null when that account is gone. */
  by: Type.Union([Type.String(), Type.Null()]),
  at: Type.String({ format: 'date-time' }),
});
export type Ban = Static<typeof Ban>;

/** A room as operators see it: its details, the node serving it and that node's tick load (0..1 of the budget). */
export const AdminRoom = Type.Intersect([
  RoomDetails,
  Type.Object({
    node: Type.Union([Type.String(), Type.Null()]),
    node_tick_utilization: Type.Union([Type.Number(), Type.Null()]),
  }),
]);
export type AdminRoom = Static<typeof AdminRoom>;

export const AdminRoomList = Type.Object({ rooms: Type.Array(AdminRoom) });
export type AdminRoomList = Static<typeof AdminRoomList>;

export const EndRoomResult = Type.Object({ room_id: Type.String(), ended: Type.Boolean(), players: Type.Integer({ description: 'Players sent out of the room' }) });
export type EndRoomResult = Static<typeof EndRoomResult>;

/** One matchmaking bucket: how many players wait and since when the first of them does. */
export const AdminQueue = Type.Object({
  game_mode: Type.String(),
  region: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  oldest_wait_ms: Type.Integer({ minimum: 0 }),
});
export type AdminQueue = Static<typeof AdminQueue>;

export const AdminQueueList = Type.Object({ queues: Type.Array(AdminQueue) });
export type AdminQueueList = Static<typeof AdminQueueList>;

/** Query strings arrive as text: numbers are digits, read and range-checked by the route. */
const DigitString = (digits: number, description: string) => Type.String({ pattern: `^[0-9]{1,${digits}}$`, description });

export const AdminPlayerQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of a name or email, or a whole player id; empty: the newest players' })),
    limit: Type.Optional(DigitString(3, '1-100, default 20')),
  },
  { additionalProperties: false },
);
export type AdminPlayerQuery = Static<typeof AdminPlayerQuery>;

export const AdminPlayer = Type.Object({
  player_id: Type.String({ format: 'uuid' }),
  display_name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  is_guest: Type.Boolean(),
  online: Type.Boolean(),
  /** The ban in force, null when none is (a lapsed ban is not shown). */
  ban: Type.Union([Ban, Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
export type AdminPlayer = Static<typeof AdminPlayer>;

export const AdminPlayerList = Type.Object({ players: Type.Array(AdminPlayer) });
export type AdminPlayerList = Static<typeof AdminPlayerList>;

export const KickResult = Type.Object({ player_id: Type.String(), disconnected: Type.Boolean({ description: 'Whether a live connection was found and closed' }) });
export type KickResult = Static<typeof KickResult>;

export const BanResult = Type.Object({ player_id: Type.String(), ban: Type.Union([Ban, Type.Null()]) });
export type BanResult = Static<typeof BanResult>;

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(DigitString(3, '1-200, default 50')),
    before: Type.Optional(DigitString(18, 'Entries older than this id (the previous page’s next_before)')),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor_id: Type.Union([Type.String(), Type.Null()]),
  actor_name: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({ description: 'e.g. room.end, player.kick, player.ban, player.unban, tournament.start' }),
  target_type: Type.String(),
  target_id: Type.Union([Type.String(), Type.Null()]),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** Newest first; next_before pages on (null: no older entries). */
export const AuditPage = Type.Object({ entries: Type.Array(AuditEntry), next_before: Type.Union([Type.Integer(), Type.Null()]) });
export type AuditPage = Static<typeof AuditPage>;

/** This node's own figures, for the console's live charts. */
export const AdminStats = Type.Object({
  at: Type.String({ format: 'date-time' }),
  node: Type.String(),
  connections: Type.Integer(),
  rooms: Type.Integer(),
  players_in_rooms: Type.Integer(),
  /** Over the last ~1,000 ticks. */
  tick_p99_ms: Type.Number(),
  queued: Type.Integer({ description: 'Players waiting in matchmaking, all queues' }),
  /** Over the last ~1,000 matches formed here. */
  queue_wait_p99_ms: Type.Number(),
});
export type AdminStats = Static<typeof AdminStats>;
