import type { Redis } from 'ioredis';
import type { Directory, LiveNode, NodeRecord, RoomLease } from './types.js';

// Each script is one atomic step, so two nodes racing for a room or a renewal racing a takeover see one order.
// Times come from the callers' clocks: nodes must agree within a fraction of a lease (NTP), and a node whose
// clock runs ahead can only take a room early, which fences the old owner off at its next renewal.

// KEYS: room hash, lapse index. ARGV: room id, node, now, ttl. Returns node, epoch, expiresAt or nil.
const ACQUIRE = `
local node = redis.call('HGET', KEYS[1], 'node')
local epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0')
local live = tonumber(redis.call('HGET', KEYS[1], 'expires') or '0') > tonumber(ARGV[3])
if node and live and node ~= ARGV[2] then return nil end
if not (node == ARGV[2] and live) then epoch = epoch + 1 end
local expires = tonumber(ARGV[3]) + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'node', ARGV[2], 'epoch', epoch, 'expires', expires)
redis.call('ZADD', KEYS[2], expires, ARGV[1])
return {ARGV[2], epoch, expires}`;

// KEYS: room hash, lapse index. ARGV: room id, node, epoch, now, ttl. Returns expiresAt or nil (fenced off).
const RENEW = `
if redis.call('HGET', KEYS[1], 'node') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[3] then return nil end
local expires = tonumber(ARGV[4]) + tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'expires', expires)
redis.call('ZADD', KEYS[2], expires, ARGV[1])
return expires`;

// KEYS: room hash, lapse index. ARGV: room id, node, epoch.
const RELEASE = `
if redis.call('HGET', KEYS[1], 'node') == ARGV[2] and redis.call('HGET', KEYS[1], 'epoch') == ARGV[3] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end`;

// KEYS: room hash, lapse index. ARGV: room id, node, epoch, now.
const LAPSE = `
if redis.call('HGET', KEYS[1], 'node') == ARGV[2] and redis.call('HGET', KEYS[1], 'epoch') == ARGV[3] then
  redis.call('HSET', KEYS[1], 'expires', ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
end`;

// KEYS: node records hash, node expiry index. ARGV: now. Forgets lapsed nodes and returns the live ones.
const LIVE_NODES = `
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, id in ipairs(lapsed) do redis.call('HDEL', KEYS[1], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local live = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
local result = {}
for i = 1, #live, 2 do
  result[#result + 1] = redis.call('HGET', KEYS[1], live[i])
  result[#result + 1] = live[i + 1]
end
return result`;

interface DirectoryCommands {
  gamev1DirectoryAcquire(room: string, index: string, roomId: string, node: string, now: number, ttl: number): Promise<[string, number, number] | null>;
  gamev1DirectoryRenew(room: string, index: string, roomId: string, node: string, epoch: number, now: number, ttl: number): Promise<number | null>;
  gamev1DirectoryRelease(room: string, index: string, roomId: string, node: string, epoch: number): Promise<unknown>;
  gamev1DirectoryLapse(room: string, index: string, roomId: string, node: string, epoch: number, now: number): Promise<unknown>;
  gamev1DirectoryNodes(records: string, index: string, now: number): Promise<string[]>;
}

/** The directory shared by every node through Redis. */
export class RedisDirectory implements Directory {
  private readonly commands: DirectoryCommands;

  constructor(
    private readonly redis: Redis,
    /** Key namespace, e.g. `gamev1:dir:` */
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {
    redis.defineCommand('gamev1DirectoryAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('gamev1DirectoryRenew', { numberOfKeys: 2, lua: RENEW });
    redis.defineCommand('gamev1DirectoryRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('gamev1DirectoryLapse', { numberOfKeys: 2, lua: LAPSE });
    redis.defineCommand('gamev1DirectoryNodes', { numberOfKeys: 2, lua: LIVE_NODES });
    this.commands = redis as unknown as DirectoryCommands;
  }

  private get nodeKeys(): [string, string] {
    return [`${this.prefix}nodes`, `${this.prefix}nodes:expiry`];
  }

  private roomKeys(roomId: string): [string, string] {
    return [this.leaseKey(roomId), `${this.prefix}rooms:expiry`];
  }

  /** The key of a room's lease hash (node, epoch, expires), for scripts that write under the lease. */
  leaseKey(roomId: string): string {
    return `${this.prefix}room:${roomId}`;
  }

  async announce(node: NodeRecord, ttlMs: number): Promise<void> {
    const [records, index] = this.nodeKeys;
    await this.redis.multi().hset(records, node.id, JSON.stringify(node)).zadd(index, this.now() + ttlMs, node.id).exec();
  }

  async withdraw(nodeId: string): Promise<void> {
    const [records, index] = this.nodeKeys;
    await this.redis.multi().hdel(records, nodeId).zrem(index, nodeId).exec();
  }

  async nodes(): Promise<LiveNode[]> {
    const flat = await this.commands.gamev1DirectoryNodes(...this.nodeKeys, this.now());
    const live: LiveNode[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      if (flat[i]) live.push({ ...(JSON.parse(flat[i]!) as NodeRecord), expiresAt: Number(flat[i + 1]) });
    }
    return live.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async acquire(roomId: string, node: string, ttlMs: number): Promise<RoomLease | undefined> {
    const held = await this.commands.gamev1DirectoryAcquire(...this.roomKeys(roomId), roomId, node, this.now(), ttlMs);
    return held ? { roomId, node: held[0], epoch: Number(held[1]), expiresAt: Number(held[2]) } : undefined;
  }

  async renew(lease: RoomLease, ttlMs: number): Promise<RoomLease | undefined> {
    const expiresAt = await this.commands.gamev1DirectoryRenew(...this.roomKeys(lease.roomId), lease.roomId, lease.node, lease.epoch, this.now(), ttlMs);
    return expiresAt === null ? undefined : { ...lease, expiresAt: Number(expiresAt) };
  }

  async renewAll(leases: readonly RoomLease[], ttlMs: number): Promise<(RoomLease | undefined)[]> {
    if (leases.length === 0) return [];
    const pipeline = this.redis.pipeline() as unknown as DirectoryCommands & { exec(): Promise<[Error | null, unknown][] | null> };
    const now = this.now();
    for (const lease of leases) void pipeline.gamev1DirectoryRenew(...this.roomKeys(lease.roomId), lease.roomId, lease.node, lease.epoch, now, ttlMs);
    const replies = (await pipeline.exec()) ?? [];
    return leases.map((lease, i) => {
      const [error, expiresAt] = replies[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      return expiresAt === null ? undefined : { ...lease, expiresAt: Number(expiresAt) };
    });
  }

  async release(lease: RoomLease): Promise<void> {
    await this.commands.gamev1DirectoryRelease(...this.roomKeys(lease.roomId), lease.roomId, lease.node, lease.epoch);
  }

  async lapse(lease: RoomLease): Promise<void> {
    await this.commands.gamev1DirectoryLapse(...this.roomKeys(lease.roomId), lease.roomId, lease.node, lease.epoch, this.now());
  }

  async owner(roomId: string): Promise<RoomLease | undefined> {
    const held = await this.redis.hmget(this.roomKeys(roomId)[0], 'node', 'epoch', 'expires');
    const [node, epoch, expires] = held;
    if (!node || !epoch || !expires || Number(expires) <= this.now()) return undefined;
    return { roomId, node, epoch: Number(epoch), expiresAt: Number(expires) };
  }

  async lapsed(limit: number): Promise<RoomLease[]> {
    const ids = await this.redis.zrangebyscore(this.roomKeys('')[1], '-inf', this.now(), 'LIMIT', 0, limit);
    const leases: RoomLease[] = [];
    for (const roomId of ids) {
      const [node, epoch, expires] = await this.redis.hmget(this.roomKeys(roomId)[0], 'node', 'epoch', 'expires');
      if (node && epoch && expires) leases.push({ roomId, node, epoch: Number(epoch), expiresAt: Number(expires) });
    }
    return leases;
  }
}
