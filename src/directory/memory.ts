import type { Directory, LiveNode, NodeRecord, RoomLease } from './types.js';

/** The directory of a single node without Redis: every lease is this process's own. */
export class MemoryDirectory implements Directory {
  private readonly announced = new Map<string, LiveNode>();
  private readonly leases = new Map<string, RoomLease>();

  constructor(private readonly now: () => number = Date.now) {}

  async announce(node: NodeRecord, ttlMs: number): Promise<void> {
    this.announced.set(node.id, { ...node, expiresAt: this.now() + ttlMs });
  }

  async withdraw(nodeId: string): Promise<void> {
    this.announced.delete(nodeId);
  }

  async nodes(): Promise<LiveNode[]> {
    const now = this.now();
    for (const [id, node] of this.announced) if (node.expiresAt <= now) this.announced.delete(id);
    return [...this.announced.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async acquire(roomId: string, node: string, ttlMs: number): Promise<RoomLease | undefined> {
    const now = this.now();
    const held = this.leases.get(roomId);
    if (held && held.expiresAt > now && held.node !== node) return undefined;
    const epoch = !held ? 1 : held.node === node && held.expiresAt > now ? held.epoch : held.epoch + 1;
    const lease = { roomId, node, epoch, expiresAt: now + ttlMs };
    this.leases.set(roomId, lease);
    return lease;
  }

  async renew(lease: RoomLease, ttlMs: number): Promise<RoomLease | undefined> {
    const held = this.leases.get(lease.roomId);
    if (!held || held.node !== lease.node || held.epoch !== lease.epoch) return undefined;
    const renewed = { ...held, expiresAt: this.now() + ttlMs };
    this.leases.set(lease.roomId, renewed);
    return renewed;
  }

  async renewAll(leases: readonly RoomLease[], ttlMs: number): Promise<(RoomLease | undefined)[]> {
    return Promise.all(leases.map((lease) => this.renew(lease, ttlMs)));
  }

  async release(lease: RoomLease): Promise<void> {
    const held = this.leases.get(lease.roomId);
    if (held && held.node === lease.node && held.epoch === lease.epoch) this.leases.delete(lease.roomId);
  }

  async owner(roomId: string): Promise<RoomLease | undefined> {
    const held = this.leases.get(roomId);
    return held && held.expiresAt > this.now() ? held : undefined;
  }

  async lapse(lease: RoomLease): Promise<void> {
    const held = this.leases.get(lease.roomId);
    if (held && held.node === lease.node && held.epoch === lease.epoch) this.leases.set(lease.roomId, { ...held, expiresAt: this.now() });
  }

  async lapsed(limit: number): Promise<RoomLease[]> {
    const now = this.now();
    return [...this.leases.values()].filter((lease) => lease.expiresAt <= now).sort((a, b) => a.expiresAt - b.expiresAt).slice(0, limit);
  }
}
