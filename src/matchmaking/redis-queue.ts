import type { Redis } from 'ioredis';
import type { Ticket } from './policy/index.js';
import { AlreadyQueuedError, SETTLED_STATUS_TTL_SECONDS, type QueueStatus, type SettledStatus, type TicketQueue } from './queue.js';

/*
 * Keys (under the cache's key prefix): mm:tickets (hash ticket id → ticket JSON), mm:player:<id> (the
 * player's ticket id while queued), mm:status:<id> (settled status JSON, with a TTL), mm:leader (the node
 * forming matches, with a lease). Every multi-key change is one Lua script, so nodes never interleave.
 */

// KEYS: tickets hash, the player keys, then the status keys (as many); ARGV: ticket id, ticket JSON.
// The old statuses go in the same step: deleted afterwards, one could erase the status of a match formed
// from this very ticket in between.
const ENQUEUE = `
local players = (#KEYS - 1) / 2
for i = 2, players + 1 do
  local existing = redis.call('GET', KEYS[i])
  if existing then return KEYS[i] end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 2, players + 1 do
  redis.call('SET', KEYS[i], ARGV[1])
  redis.call('DEL', KEYS[i + players])
end
return false`;

// KEYS: tickets hash, the player keys of every ticket, then the status keys to write.
// ARGV: ticket count, player key count, status TTL, the ticket ids, then one status JSON per status key.
// The statuses are written in the same step, so a reader never finds a player neither queued nor settled.
const CLAIM = `
local tickets, players, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
for i = 4, tickets + 3 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then return 0 end
end
redis.call('HDEL', KEYS[1], unpack(ARGV, 4, tickets + 3))
for i = 2, players + 1 do redis.call('DEL', KEYS[i]) end
for i = players + 2, #KEYS do redis.call('SET', KEYS[i], ARGV[tickets + 2 + i - players], 'EX', ttl) end
return 1`;

const LEAD = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const TICKETS = 'mm:tickets';
const playerKey = (playerId: string) => `mm:player:${playerId}`;
const statusKey = (playerId: string) => `mm:status:${playerId}`;

/** The queue in Redis, shared by every gateway node. */
export class RedisTicketQueue implements TicketQueue {
  constructor(private readonly redis: Redis) {}

  async enqueue(ticket: Ticket): Promise<void> {
    const keys = [TICKETS, ...ticket.players.map((p) => playerKey(p.playerId)), ...ticket.players.map((p) => statusKey(p.playerId))];
    const taken = (await this.redis.eval(ENQUEUE, keys.length, ...keys, ticket.id, JSON.stringify(ticket))) as string | null;
    if (taken) {
      const prefix = this.redis.options.keyPrefix ?? '';
      throw new AlreadyQueuedError(taken.slice(prefix.length + 'mm:player:'.length));
    }
  }

  async cancel(playerId: string): Promise<Ticket | undefined> {
    const ticketId = await this.redis.get(playerKey(playerId));
    if (!ticketId) return undefined;
    const ticket = await this.ticket(ticketId);
    if (!ticket) return undefined;
    return (await this.claimTickets([ticket], new Map())) ? ticket : undefined;
  }

  async tickets(): Promise<Ticket[]> {
    const all = await this.redis.hvals(TICKETS);
    return all.map((json) => JSON.parse(json) as Ticket);
  }

  async claim(ticketIds: readonly string[], statuses: ReadonlyMap<string, SettledStatus>): Promise<boolean> {
    const tickets = (await Promise.all(ticketIds.map((id) => this.ticket(id)))).filter((t): t is Ticket => t !== undefined);
    return tickets.length === ticketIds.length && this.claimTickets(tickets, statuses);
  }

  /** Removes tickets already read, atomically and only if every one of them is still queued. */
  private async claimTickets(tickets: readonly Ticket[], statuses: ReadonlyMap<string, SettledStatus>): Promise<boolean> {
    const players = tickets.flatMap((t) => t.players.map((p) => playerKey(p.playerId)));
    const keys = [TICKETS, ...players, ...[...statuses.keys()].map(statusKey)];
    const values = [...statuses.values()].map((status) => JSON.stringify(status));
    const args = [tickets.length, players.length, SETTLED_STATUS_TTL_SECONDS, ...tickets.map((t) => t.id), ...values];
    return (await this.redis.eval(CLAIM, keys.length, ...keys, ...args)) === 1;
  }

  async settle(statuses: ReadonlyMap<string, SettledStatus>): Promise<void> {
    if (statuses.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [playerId, status] of statuses) {
      pipeline.set(statusKey(playerId), JSON.stringify(status), 'EX', SETTLED_STATUS_TTL_SECONDS);
    }
    await pipeline.exec();
  }

  async status(playerId: string): Promise<QueueStatus | undefined> {
    const ticketId = await this.redis.get(playerKey(playerId));
    if (ticketId) {
      const ticket = await this.ticket(ticketId);
      if (ticket) return { status: 'queued', ticket };
    }
    const settled = await this.redis.get(statusKey(playerId));
    return settled ? (JSON.parse(settled) as SettledStatus) : undefined;
  }

  async lead(node: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(LEAD, 1, 'mm:leader', node, ttlMs)) === 1;
  }

  async close(): Promise<void> {
    // The connection belongs to the cache, which closes it.
  }

  private async ticket(id: string): Promise<Ticket | undefined> {
    const json = await this.redis.hget(TICKETS, id);
    return json ? (JSON.parse(json) as Ticket) : undefined;
  }
}
