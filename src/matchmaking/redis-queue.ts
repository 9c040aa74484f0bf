import type { Redis } from 'ioredis';
import type { Ticket } from './policy/index.js';
import { AlreadyQueuedError, SETTLED_STATUS_TTL_SECONDS, type QueueStatus, type SettledStatus, type TicketQueue } from './queue.js';

/*
 * Keys (under the cache's key prefix): mm:tickets (hash ticket id → ticket JSON), mm:player:<id> (the
 * player's ticket id while queued), mm:status:<id> (settled status JSON, with a TTL), mm:leader (the node
 * forming matches, with a lease). Every multi-key change is one Lua script, so nodes never interleave.
 */

const ENQUEUE = `
for i = 2, #KEYS do
  local existing = redis.call('GET', KEYS[i])
  if existing then return KEYS[i] end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[1])
end
return false`;

// KEYS: tickets hash, then the player keys of every ticket; ARGV: ticket ids.
const CLAIM = `
for i = 1, #ARGV do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then return 0 end
end
redis.call('HDEL', KEYS[1], unpack(ARGV))
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
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
    const keys = [TICKETS, ...ticket.players.map((p) => playerKey(p.playerId))];
    const taken = (await this.redis.eval(ENQUEUE, keys.length, ...keys, ticket.id, JSON.stringify(ticket))) as string | null;
    if (taken) {
      const prefix = this.redis.options.keyPrefix ?? '';
      throw new AlreadyQueuedError(taken.slice(prefix.length + 'mm:player:'.length));
    }
    await this.redis.del(...ticket.players.map((p) => statusKey(p.playerId)));
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
    const keys = [TICKETS, ...tickets.flatMap((t) => t.players.map((p) => playerKey(p.playerId)))];
    const claimed = (await this.redis.eval(CLAIM, keys.length, ...keys, ...tickets.map((t) => t.id))) === 1;
    if (claimed) await this.settle(statuses);
    return claimed;
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
