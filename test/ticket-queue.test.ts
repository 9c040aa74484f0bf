import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../src/matchmaking/policy/index.js';
import {
  AlreadyQueuedError,
  MemoryTicketQueue,
  SETTLED_STATUS_TTL_SECONDS,
  type SettledStatus,
  type TicketQueue,
} from '../src/matchmaking/queue.js';
import { RedisTicketQueue } from '../src/matchmaking/redis-queue.js';
import { isolation } from './support/server.js';

/** One queue as the nodes sharing it see it. */
interface Opened {
  queue: TicketQueue;
  /** Another node's handle on the same queue (in memory there is one node, so it is the same queue). */
  peer(): Promise<TicketQueue>;
  /** Another node's handle whose every command waits `lagMs` first, as on a busy node; memory has no other node. */
  laggingPeer(lagMs: number): Promise<TicketQueue>;
  /** Checks that a settled status lapses SETTLED_STATUS_TTL_SECONDS after it was recorded. */
  expectToExpire(playerId: string): Promise<void>;
  close(): Promise<void>;
}

interface Driver {
  name: string;
  /** False when the backend is not configured in this run: its suite is skipped. */
  available: boolean;
  /** Whether several nodes share the queue and compete for the lead. */
  shared: boolean;
  open(): Promise<Opened>;
}

const memory: Driver = {
  name: 'MemoryTicketQueue',
  available: true,
  shared: false,
  async open() {
    let now = 1_700_000_000_000;
    const queue = new MemoryTicketQueue(() => now);
    return {
      queue,
      peer: async () => queue,
      laggingPeer: async () => queue,
      async expectToExpire(playerId) {
        const status = await queue.status(playerId);
        now += SETTLED_STATUS_TTL_SECONDS * 1000 - 1;
        expect(await queue.status(playerId)).toEqual(status);
        now += 1;
        expect(await queue.status(playerId)).toBeUndefined();
      },
      close: () => queue.close(),
    };
  },
};

const redis: Driver = {
  name: 'RedisTicketQueue',
  available: Boolean(process.env.REDIS_URL),
  shared: true,
  async open() {
    const url = process.env.REDIS_URL!;
    const { keyPrefix } = isolation();
    const connections: Redis[] = [];
    const connect = () => {
      const connection = new Redis(url, { keyPrefix });
      connections.push(connection);
      return connection;
    };
    const first = connect();
    return {
      queue: new RedisTicketQueue(first),
      peer: async () => new RedisTicketQueue(connect()),
      laggingPeer: async (lagMs) => new RedisTicketQueue(lagging(connect(), lagMs)),
      async expectToExpire(playerId) {
        // The status key (see redis-queue.ts) carries the TTL; Redis itself does the expiring.
        const key = `mm:status:${playerId}`;
        const ttl = await first.ttl(key);
        expect(ttl).toBeGreaterThan(SETTLED_STATUS_TTL_SECONDS - 10);
        expect(ttl).toBeLessThanOrEqual(SETTLED_STATUS_TTL_SECONDS);
        await first.pexpire(key, 1);
        await expect.poll(() => new RedisTicketQueue(first).status(playerId), { timeout: 2_000, interval: 20 }).toBeUndefined();
      },
      async close() {
        const plain = new Redis(url);
        const keys = await plain.keys(`${keyPrefix}*`);
        if (keys.length > 0) await plain.del(...keys);
        await Promise.all([plain, ...connections].map((connection) => connection.quit()));
      },
    };
  },
};

/** The connection with every command sent `lagMs` late. */
function lagging(connection: Redis, lagMs: number): Redis {
  return new Proxy(connection, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || !/^(eval|get|set|del|hget|hvals)$/.test(property)) return value;
      return async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, lagMs));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

let sequence = 0;
function ticket(...playerIds: string[]): Ticket {
  return {
    id: `ticket-${++sequence}`,
    gameMode: 'deathmatch',
    region: 'eu',
    players: playerIds.map((playerId, i) => ({ playerId, rating: 1200 + i })),
    enqueuedAt: 1_700_000_000_000,
    maxWaitSeconds: 60,
    priority: false,
  };
}

/** Every player of `tickets` matched into `roomId`. */
function matched(tickets: Ticket[], roomId = 'room_1.w1'): Map<string, SettledStatus> {
  const players = tickets.flatMap((t) => t.players.map((p) => p.playerId));
  return new Map(
    tickets.flatMap((t) =>
      t.players.map((p): [string, SettledStatus] => [
        p.playerId,
        { status: 'matched', ticket_id: t.id, room_id: roomId, node: 'node-1', players, matched_at: '2024-01-01T00:00:00.000Z' },
      ]),
    ),
  );
}

const byId = (tickets: Ticket[]) => [...tickets].sort((a, b) => a.id.localeCompare(b.id));
const ids = (...tickets: Ticket[]) => tickets.map((t) => t.id);

for (const driver of [memory, redis]) {
  describe.skipIf(!driver.available)(driver.name, () => {
    let opened: Opened;
    let queue: TicketQueue;

    beforeEach(async () => {
      opened = await driver.open();
      queue = opened.queue;
    });
    afterEach(() => opened?.close());

    describe('enqueue and status', () => {
      it('queues a ticket and reports each of its players as queued', async () => {
        const party = ticket('ann', 'bob');
        await queue.enqueue(party);
        expect(await queue.status('ann')).toEqual({ status: 'queued', ticket: party });
        expect(await queue.status('bob')).toEqual({ status: 'queued', ticket: party });
        expect(await queue.status('nobody')).toBeUndefined();
        expect(await queue.tickets()).toEqual([party]);
      });

      it('refuses a second ticket of a queued player, naming them', async () => {
        const first = ticket('ann');
        await queue.enqueue(first);
        const again = queue.enqueue(ticket('ann'));
        await expect(again).rejects.toBeInstanceOf(AlreadyQueuedError);
        await expect(again).rejects.toMatchObject({ playerId: 'ann' });
        expect(await queue.tickets()).toEqual([first]);
        expect(await queue.status('ann')).toEqual({ status: 'queued', ticket: first });
      });

      it('refuses a ticket with an already queued party member, and takes none of its players', async () => {
        const party = ticket('ann', 'bob');
        await queue.enqueue(party);
        const overlapping = queue.enqueue(ticket('cid', 'bob'));
        await expect(overlapping).rejects.toBeInstanceOf(AlreadyQueuedError);
        await expect(overlapping).rejects.toMatchObject({ playerId: 'bob' });
        expect(await queue.status('cid')).toBeUndefined();
        expect(await queue.tickets()).toEqual([party]);
        const alone = ticket('cid');
        await queue.enqueue(alone);
        expect(await queue.status('cid')).toEqual({ status: 'queued', ticket: alone });
      });
    });

    describe('cancel', () => {
      it("hands back the whole party's ticket and frees every member", async () => {
        const party = ticket('ann', 'bob');
        await queue.enqueue(party);
        expect(await queue.cancel('bob')).toEqual(party);
        expect(await queue.tickets()).toEqual([]);
        expect(await queue.status('ann')).toBeUndefined();
        expect(await queue.status('bob')).toBeUndefined();
        expect(await queue.cancel('ann')).toBeUndefined();
        const again = ticket('ann');
        await queue.enqueue(again);
        expect(await queue.status('ann')).toEqual({ status: 'queued', ticket: again });
      });

      it('resolves with undefined for a player who is not queued', async () => {
        await queue.enqueue(ticket('ann'));
        expect(await queue.cancel('nobody')).toBeUndefined();
        expect(await queue.tickets()).toHaveLength(1);
      });
    });

    describe('tickets', () => {
      it('lists the waiting tickets only', async () => {
        const [a, b, c, d] = [ticket('ann'), ticket('bob'), ticket('cid', 'dan'), ticket('eve')];
        for (const t of [a, b, c, d]) await queue.enqueue(t!);
        await queue.claim(ids(b!), matched([b!]));
        await queue.cancel('eve');
        expect(byId(await queue.tickets())).toEqual(byId([a!, c!]));
      });
    });

    describe('claim', () => {
      it("takes a match's tickets out of the queue and records the players' statuses", async () => {
        const solo = ticket('ann');
        const party = ticket('bob', 'cid');
        await queue.enqueue(solo);
        await queue.enqueue(party);
        const statuses = matched([solo, party]);
        expect(await queue.claim(ids(solo, party), statuses)).toBe(true);
        expect(await queue.tickets()).toEqual([]);
        for (const player of ['ann', 'bob', 'cid']) expect(await queue.status(player)).toEqual(statuses.get(player));
        expect(await queue.cancel('ann')).toBeUndefined();
      });

      it('lets a matched player queue again, which replaces the settled status', async () => {
        const first = ticket('ann');
        await queue.enqueue(first);
        await queue.claim(ids(first), matched([first]));
        const second = ticket('ann');
        await queue.enqueue(second);
        expect(await queue.status('ann')).toEqual({ status: 'queued', ticket: second });
      });

      it('claims nothing when one ticket was cancelled, leaving the others queued', async () => {
        const [a, b, c] = [ticket('ann'), ticket('bob'), ticket('cid')];
        for (const t of [a, b, c]) await queue.enqueue(t!);
        await queue.cancel('bob');
        expect(await queue.claim(ids(a!, b!, c!), matched([a!, b!, c!]))).toBe(false);
        expect(byId(await queue.tickets())).toEqual(byId([a!, c!]));
        expect(await queue.status('ann')).toEqual({ status: 'queued', ticket: a });
        expect(await queue.status('bob')).toBeUndefined();
        expect(await queue.status('cid')).toEqual({ status: 'queued', ticket: c });
        expect(await queue.claim(ids(a!, c!), matched([a!, c!]))).toBe(true);
      });

      it('claims nothing when one ticket was claimed already, keeping its first status', async () => {
        const [a, b] = [ticket('ann'), ticket('bob')];
        await queue.enqueue(a!);
        await queue.enqueue(b!);
        const first = matched([a!], 'room_first.w1');
        expect(await queue.claim(ids(a!), first)).toBe(true);
        expect(await queue.claim(ids(a!, b!), matched([a!, b!], 'room_second.w1'))).toBe(false);
        expect(await queue.status('ann')).toEqual(first.get('ann'));
        expect(await queue.status('bob')).toEqual({ status: 'queued', ticket: b });
        expect(await queue.tickets()).toEqual([b]);
      });

      it('claims nothing for a ticket id it never had', async () => {
        const a = ticket('ann');
        await queue.enqueue(a);
        expect(await queue.claim([a.id, 'ticket-unknown'], matched([a]))).toBe(false);
        expect(await queue.status('ann')).toEqual({ status: 'queued', ticket: a });
      });
    });

    describe('settle', () => {
      it('records the statuses of players who hold no ticket', async () => {
        const called: SettledStatus = { status: 'cancelled', ticket_id: 'ticket-gone', reason: 'a player did not show up' };
        const invalid: SettledStatus = { status: 'invalid', ticket_id: 'ticket-bad', reason: 'unknown game mode' };
        await queue.settle(new Map<string, SettledStatus>([['ann', called], ['bob', invalid]]));
        expect(await queue.status('ann')).toEqual(called);
        expect(await queue.status('bob')).toEqual(invalid);
        await queue.settle(new Map());
        expect(await queue.status('ann')).toEqual(called);
      });

      it(`keeps a settled status readable for ${SETTLED_STATUS_TTL_SECONDS} s, then forgets it`, async () => {
        const timedOut: SettledStatus = { status: 'timeout', ticket_id: 'ticket-old', waited_seconds: 60 };
        await queue.settle(new Map([['ann', timedOut]]));
        expect(await queue.status('ann')).toEqual(timedOut);
        await opened.expectToExpire('ann');
      });

      it('lets statuses recorded by a claim expire too', async () => {
        const a = ticket('ann');
        await queue.enqueue(a);
        await queue.claim(ids(a), matched([a]));
        await opened.expectToExpire('ann');
      });
    });

    describe('lead', () => {
      it.runIf(driver.shared)('has one holder at a time, whose lease lapses unless renewed', async () => {
        const other = await opened.peer();
        expect(await queue.lead('node-1', 10_000)).toBe(true);
        expect(await other.lead('node-2', 10_000)).toBe(false);
        expect(await queue.lead('node-1', 10_000)).toBe(true);
        expect(await other.lead('node-2', 10_000)).toBe(false);
        // Renewed with a short lease that is then left to lapse.
        expect(await queue.lead('node-1', 200)).toBe(true);
        await expect.poll(() => other.lead('node-2', 10_000), { timeout: 3_000, interval: 25 }).toBe(true);
        expect(await queue.lead('node-1', 10_000)).toBe(false);
      });

      it.skipIf(driver.shared)('always leads: a single node has no one to share the lead with', async () => {
        expect(await queue.lead('node-1', 200)).toBe(true);
        expect(await queue.lead('node-2', 200)).toBe(true);
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of two simultaneous claims of the same tickets win', async () => {
        const other = await opened.peer();
        const [a, b] = [ticket('ann'), ticket('bob', 'cid')];
        await queue.enqueue(a!);
        await queue.enqueue(b!);
        const mine = matched([a!, b!], 'room_mine.w1');
        const theirs = matched([a!, b!], 'room_theirs.w2');
        const results = await Promise.all([queue.claim(ids(a!, b!), mine), other.claim(ids(a!, b!), theirs)]);
        expect([...results].sort()).toEqual([false, true]);
        const winner = results[0] ? mine : theirs;
        for (const player of ['ann', 'bob', 'cid']) expect(await queue.status(player)).toEqual(winner.get(player));
        expect(await queue.tickets()).toEqual([]);
      });

      it('lets exactly one of a cancel and a claim of the same ticket win', async () => {
        const other = await opened.peer();
        const a = ticket('ann');
        await queue.enqueue(a);
        const [cancelled, claimed] = await Promise.all([queue.cancel('ann'), other.claim(ids(a), matched([a]))]);
        expect([cancelled !== undefined, claimed].sort()).toEqual([false, true]);
        expect(await queue.status('ann')).toEqual(claimed ? matched([a]).get('ann') : undefined);
      });

      it('keeps the status of a match formed from a ticket the instant a busy node queued it', async () => {
        // The leader forms the match as soon as it sees the ticket; nothing the enqueue does after must erase it.
        const busy = await opened.laggingPeer(30);
        const solo = ticket('ann');
        const statuses = matched([solo]);
        const formed = (async () => {
          while (!(await queue.claim(ids(solo), statuses))) await new Promise((resolve) => setImmediate(resolve));
        })();
        await busy.enqueue(solo);
        await formed;
        await new Promise((resolve) => setTimeout(resolve, 60));
        expect(await queue.status('ann')).toEqual(statuses.get('ann'));
      });

      it('queues only one of two simultaneous tickets of one player', async () => {
        const other = await opened.peer();
        const [a, b] = [ticket('ann'), ticket('ann', 'bob')];
        const results = await Promise.allSettled([queue.enqueue(a!), other.enqueue(b!)]);
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
        expect(rejected.reason).toBeInstanceOf(AlreadyQueuedError);
        expect(await queue.tickets()).toHaveLength(1);
      });
    });
  });
}
