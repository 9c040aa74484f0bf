import type { AdminPlayer, AdminQueue, AdminRoom, AdminStats, AuditPage, Ban, EndRoomResult, KickResult, Role } from '../api/index.js';
import { bans, banMessage, type AuthService, type Roles } from '../auth/index.js';
import type { Directory } from '../directory/index.js';
import { AppError } from '../errors/index.js';
import type { QueueBucket } from '../matchmaking/index.js';
import type { RecentSamples } from '../metrics/index.js';
import type { RoomRegistry } from '../rooms/index.js';
import type { Expulsion } from '../protocol/index.js';
import type { Queryable } from '../store/index.js';
import type { Actor, AuditLog } from './audit.js';

/** The figures of this node the stats read. */
export interface NodeFigures {
  node: string;
  connections(): number;
  rooms(): number;
  playersInRooms(): number;
  /** Tick durations in seconds. */
  recentTicks: RecentSamples;
  /** Matched players' waits in seconds. */
  recentQueueWaits: RecentSamples;
}

export interface AdminDeps {
  db: Queryable;
  auth: Pick<AuthService, 'endSessions'>;
  roles: Pick<Roles, 'resolve'>;
  rooms: Pick<RoomRegistry, 'list' | 'describe' | 'leave' | 'remove'>;
  directory: Pick<Directory, 'owner' | 'nodes'>;
  queues: { buckets(): Promise<QueueBucket[]> };
  /** Closes the player's connection wherever it is (every node), after telling them why. */
  expel(playerId: string, code: Expulsion, message: string): Promise<void>;
  audit: AuditLog;
  figures: NodeFigures;
  now: () => number;
}

/** The most rooms the operators' list details (each costs a lookup; the public list has them all). */
const ROOM_LIST_LIMIT = 500;

interface PlayerRow {
  id: string;
  display_name: string;
  email: string | null;
  role: Role;
  is_guest: boolean;
  is_online: boolean;
  created_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What operators do: watch rooms, queues and players, end rooms, kick and ban players. Every change is written
 * to the audit log with the admin who made it. The caller checks the admin role (the HTTP routes do).
 */
export class AdminService {
  constructor(private readonly deps: AdminDeps) {}

  async rooms(): Promise<AdminRoom[]> {
    const { rooms, directory } = this.deps;
    const [list, nodes] = await Promise.all([rooms.list({}), directory.nodes()]);
    const tickLoad = new Map(nodes.map((node) => [node.id, node.load.tickUtilization]));
    const described = await Promise.all(
      list.slice(0, ROOM_LIST_LIMIT).map(async (info) => {
        const [details, lease] = await Promise.all([rooms.describe(info.room_id).catch(() => undefined), directory.owner(info.room_id)]);
        if (!details) return undefined; // ended between the list and the details
        const node = lease?.node ?? null;
        return { ...details, node, node_tick_utilization: node === null ? null : (tickLoad.get(node) ?? null) };
      }),
    );
    return described.filter((room): room is AdminRoom => room !== undefined);
  }

  /** Sends every player out of the room (room_left) and disposes it; a match in progress is recorded as aborted. */
  async endRoom(actor: Actor, roomId: string, reason: string): Promise<EndRoomResult> {
    const { rooms } = this.deps;
    const details = await rooms.describe(roomId);
    for (const player of details.players) await rooms.leave(roomId, player.id).catch(() => undefined);
    await rooms.remove(roomId);
    await this.deps.audit.record(actor, { action: 'room.end', targetType: 'room', targetId: roomId, details: { reason, room_name: details.room_name, players: details.players.map((p) => p.id) } });
    return { room_id: roomId, ended: true, players: details.players.length };
  }

  async queues(): Promise<AdminQueue[]> {
    return (await this.deps.queues.buckets()).map((bucket) => ({
      game_mode: bucket.gameMode,
      region: bucket.region,
      size: bucket.size,
      oldest_wait_ms: Math.round(bucket.oldestWaitMs),
    }));
  }

  /** Players whose name or email contains `q` (or whose id is `q`), newest first. */
  async searchPlayers(q: string, limit: number): Promise<AdminPlayer[]> {
    const term = q.trim();
    const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await this.deps.db.query<PlayerRow>(
      `SELECT id, display_name, email, role, is_guest, is_online, created_at FROM players
       WHERE $1 = '' OR display_name ILIKE $2 OR email ILIKE $2 OR ($3::uuid IS NOT NULL AND id = $3::uuid)
       ORDER BY created_at DESC LIMIT $4`,
      [term, pattern, UUID.test(term) ? term : null, limit],
    );
    const inForce = await bans.inForceOf(this.deps.db, rows.map((row) => row.id), new Date(this.deps.now()));
    return rows.map((row) => ({
      player_id: row.id,
      display_name: row.display_name,
      email: row.email,
      role: this.deps.roles.resolve(row.email, row.role),
      is_guest: row.is_guest,
      online: row.is_online,
      ban: inForce.get(row.id) ?? null,
      created_at: row.created_at.toISOString(),
    }));
  }

  /** Closes the player's connection (their seat is given up); they may log in again. */
  async kick(actor: Actor, playerId: string, reason: string): Promise<KickResult> {
    const player = await this.player(playerId);
    await this.deps.expel(playerId, 'kicked', `you were kicked: ${reason}`);
    await this.deps.audit.record(actor, { action: 'player.kick', targetType: 'player', targetId: playerId, details: { reason, display_name: player.display_name } });
    return { player_id: playerId, disconnected: player.is_online };
  }

  /**
   * Bans the player until `until` (null: for good): their sessions end at once on every node (refresh and access
   * tokens are refused, the connection closes) and logging in is refused until the ban ends.
   */
  async ban(actor: Actor, playerId: string, reason: string, until: Date | null): Promise<Ban> {
    if (playerId === actor.id) throw new AppError('invalid', 'cannot_ban_self', 'an admin cannot ban themselves');
    if (until !== null && until.getTime() <= this.deps.now()) throw new AppError('invalid', 'invalid_until', 'until must be in the future (or null for a permanent ban)');
    const player = await this.player(playerId);
    const ban = await bans.put(this.deps.db, playerId, { reason, until, by: actor.id });
    await this.deps.auth.endSessions(playerId, 'banned');
    await this.deps.expel(playerId, 'banned', banMessage(ban));
    await this.deps.audit.record(actor, { action: 'player.ban', targetType: 'player', targetId: playerId, details: { reason, until: ban.until, display_name: player.display_name } });
    return ban;
  }

  async unban(actor: Actor, playerId: string): Promise<void> {
    const player = await this.player(playerId);
    if (!(await bans.lift(this.deps.db, playerId))) throw new AppError('not_found', 'not_banned', `player ${playerId} is not banned`);
    await this.deps.audit.record(actor, { action: 'player.unban', targetType: 'player', targetId: playerId, details: { display_name: player.display_name } });
  }

  audit(query: { limit: number; before?: number | undefined }): Promise<AuditPage> {
    return this.deps.audit.page(query);
  }

  async stats(): Promise<AdminStats> {
    const { figures } = this.deps;
    const queued = (await this.deps.queues.buckets()).reduce((sum, bucket) => sum + bucket.size, 0);
    return {
      at: new Date(this.deps.now()).toISOString(),
      node: figures.node,
      connections: figures.connections(),
      rooms: figures.rooms(),
      players_in_rooms: figures.playersInRooms(),
      tick_p99_ms: figures.recentTicks.quantile(0.99) * 1000,
      queued,
      queue_wait_p99_ms: figures.recentQueueWaits.quantile(0.99) * 1000,
    };
  }

  private async player(playerId: string): Promise<PlayerRow> {
    const { rows } = UUID.test(playerId)
      ? await this.deps.db.query<PlayerRow>('SELECT id, display_name, email, role, is_guest, is_online, created_at FROM players WHERE id = $1', [playerId])
      : { rows: [] };
    if (!rows[0]) throw new AppError('not_found', 'player_not_found', `player ${playerId} does not exist`);
    return rows[0];
  }
}
