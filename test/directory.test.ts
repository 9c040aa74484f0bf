/**
 * The node and room directory, in memory and on Redis (when REDIS_URL is set), on a fake clock: announcements
 * that lapse, room leases taken over with a new epoch, and the old owner fenced off.
 */
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryAgent, MemoryDirectory, RedisDirectory, chooseWorker, type Directory, type LiveNode, type NodeRecord, type RoomLease } from '../src/directory/index.js';
import { isolation } from './support/server.js';

let now = 1_000_000;
const clock = () => now;

interface Opened {
  directory: Directory;
  /** Another node's handle on the same directory. */
  peer(): Directory;
  close(): Promise<void>;
}

const drivers: { name: string; available: boolean; open(): Opened }[] = [
  {
    name: 'MemoryDirectory',
    available: true,
    open() {
      const directory = new MemoryDirectory(clock);
      return { directory, peer: () => directory, close: async () => undefined };
    },
  },
  {
    name: 'RedisDirectory',
    available: Boolean(process.env.REDIS_URL),
    open() {
      const { keyPrefix } = isolation();
      const connections: Redis[] = [];
      const connect = () => {
        const connection = new Redis(process.env.REDIS_URL!);
        connections.push(connection);
        return new RedisDirectory(connection, `${keyPrefix}dir:`, clock);
      };
      return {
        directory: connect(),
        peer: connect,
        async close() {
          const keys = await connections[0]!.keys(`${keyPrefix}*`);
          if (keys.length > 0) await connections[0]!.del(...keys);
          await Promise.all(connections.map((connection) => connection.quit()));
        },
      };
    },
  },
];

const worker = (id: string, overrides: Partial<NodeRecord> = {}, load: Partial<NodeRecord['load']> = {}): NodeRecord => ({
  id,
  roles: ['worker'],
  region: 'eu',
  address: `http://127.0.0.1:${3000 + id.length}`,
  draining: false,
  ...overrides,
  load: { players: 0, capacity: 100, rooms: 0, tickUtilization: 0.1, ...load },
});

for (const driver of drivers) {
  describe.runIf(driver.available)(driver.name, () => {
    let opened: Opened;
    beforeEach(() => {
      now = 1_000_000;
      opened = driver.open();
    });
    afterEach(() => opened.close());

    it('lists the nodes that keep announcing, and forgets one that stops or withdraws', async () => {
      const { directory } = opened;
      const other = opened.peer();
      await directory.announce(worker('a'), 3_000);
      await other.announce(worker('b', { roles: ['gateway', 'worker'], workerApi: '127.0.0.1:50051' }), 3_000);
      expect((await other.nodes()).map((node) => [node.id, node.expiresAt])).toEqual([
        ['a', 1_003_000],
        ['b', 1_003_000],
      ]);
      expect((await directory.nodes())[1]).toMatchObject({ roles: ['gateway', 'worker'], workerApi: '127.0.0.1:50051' });
      now += 2_000;
      await directory.announce(worker('a', {}, { players: 7 }), 3_000);
      now += 1_500; // b's announcement lapsed
      expect((await other.nodes()).map((node) => [node.id, node.load.players])).toEqual([['a', 7]]);
      await directory.withdraw('a');
      expect(await other.nodes()).toEqual([]);
    });

    it('gives a room to one node, takes it over with a new epoch once the lease lapses, and fences the old owner', async () => {
      const a = opened.directory;
      const b = opened.peer();
      const first = await a.acquire('room-1', 'node-a', 1_000);
      expect(first).toEqual({ roomId: 'room-1', node: 'node-a', epoch: 1, expiresAt: 1_001_000 });
      expect(await b.acquire('room-1', 'node-b', 1_000)).toBeUndefined(); // a's lease is live
      expect(await a.acquire('room-1', 'node-a', 1_000)).toMatchObject({ epoch: 1 }); // the holder again: same epoch
      now += 500;
      const renewed = await a.renew(first!, 1_000);
      expect(renewed).toMatchObject({ epoch: 1, expiresAt: 1_001_500 });
      expect(await b.owner('room-1')).toMatchObject({ node: 'node-a', epoch: 1 });

      now += 1_500; // node-a stopped renewing (SIGSTOP, a dead process)
      expect(await b.owner('room-1')).toBeUndefined();
      expect(await b.lapsed(10)).toMatchObject([{ roomId: 'room-1', node: 'node-a', epoch: 1 }]);
      const takeover = await b.acquire('room-1', 'node-b', 1_000);
      expect(takeover).toMatchObject({ node: 'node-b', epoch: 2 });
      // node-a wakes up: its renewal is refused, so it stops serving; its release leaves node-b's lease alone.
      expect(await a.renew(renewed!, 1_000)).toBeUndefined();
      await a.release(renewed!);
      expect(await a.owner('room-1')).toMatchObject({ node: 'node-b', epoch: 2 });
      expect(await b.lapsed(10)).toEqual([]);

      await b.release(takeover!);
      expect(await a.owner('room-1')).toBeUndefined();
      expect(await a.renew(takeover!, 1_000)).toBeUndefined();
    });

    it('renews many leases in one call, refusing those taken over', async () => {
      const b = opened.peer();
      const kept = (await opened.directory.acquire('kept', 'node-a', 1_000))!;
      const taken = (await opened.directory.acquire('taken', 'node-a', 1_000))!;
      now += 1_500;
      await b.acquire('taken', 'node-b', 1_000);
      expect(await opened.directory.renewAll([], 1_000)).toEqual([]);
      const [renewed, refused] = await opened.directory.renewAll([kept, taken], 5_000);
      expect(renewed).toMatchObject({ roomId: 'kept', node: 'node-a', epoch: kept.epoch, expiresAt: now + 5_000 });
      expect(refused).toBeUndefined();
      expect(await b.owner('taken')).toMatchObject({ node: 'node-b' });
    });

    it('lets a shutting-down owner hand a room on at once, and ignores a hand-on of a lease it lost', async () => {
      const b = opened.peer();
      const lease = (await opened.directory.acquire('moving', 'node-a', 10_000))!;
      await b.lapse({ ...lease, epoch: lease.epoch + 1 });
      expect(await b.owner('moving')).toMatchObject({ node: 'node-a' });
      await opened.directory.lapse(lease);
      expect(await b.owner('moving')).toBeUndefined();
      expect(await b.lapsed(10)).toMatchObject([{ roomId: 'moving', node: 'node-a', epoch: lease.epoch }]);
      expect(await b.acquire('moving', 'node-b', 1_000)).toMatchObject({ node: 'node-b', epoch: lease.epoch + 1 });
    });

    it('lets exactly one of several nodes racing for a lapsed room take it', async () => {
      const handles = [opened.directory, opened.peer(), opened.peer()];
      await handles[0]!.acquire('contested', 'n0', 1_000);
      now += 2_000;
      const won = await Promise.all(handles.map((handle, i) => handle.acquire('contested', `n${i}`, 1_000)));
      const winners = won.filter((lease) => lease !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.epoch).toBe(2);
    });
  });
}

describe('chooseWorker', () => {
  const live = (record: NodeRecord): LiveNode => ({ ...record, expiresAt: Infinity });

  it('takes the least loaded open worker of the region, else of any region', () => {
    const nodes = [
      live(worker('busy', {}, { players: 80 })),
      live(worker('calm', {}, { players: 20 })),
      live(worker('hot-loop', {}, { players: 5, tickUtilization: 0.9 })),
      live(worker('draining', { draining: true })),
      live(worker('gateway', { roles: ['gateway'] })),
      live(worker('us', { region: 'us' }, { players: 0 })),
    ];
    expect(chooseWorker(nodes, 'eu')?.id).toBe('calm');
    expect(chooseWorker(nodes, 'us')?.id).toBe('us');
    expect(chooseWorker(nodes, 'ap')?.id).toBe('us'); // no worker there: the least loaded anywhere
    expect(chooseWorker(nodes)?.id).toBe('us');
  });

  it('breaks ties by rooms then id, and finds none when every worker is full, overloaded or draining', () => {
    const tied = [live(worker('b', {}, { rooms: 2 })), live(worker('c', {}, { rooms: 1 })), live(worker('a', {}, { rooms: 1 }))];
    expect(chooseWorker(tied, 'eu')?.id).toBe('a');
    // Near-idle workers count as equally loaded: a hair less tick time does not draw every new room.
    const idle = [live(worker('quiet', {}, { rooms: 3, tickUtilization: 0.01 })), live(worker('quieter', {}, { rooms: 1, tickUtilization: 0.02 }))];
    expect(chooseWorker(idle, 'eu')?.id).toBe('quieter');
    const apart = [live(worker('warm', {}, { rooms: 1, tickUtilization: 0.3 })), live(worker('cool', {}, { rooms: 5, tickUtilization: 0.1 }))];
    expect(chooseWorker(apart, 'eu')?.id).toBe('cool');
    const closed = [
      live(worker('full', {}, { players: 100 })),
      live(worker('stalled', {}, { tickUtilization: 1.2 })),
      live(worker('leaving', { draining: true })),
    ];
    expect(chooseWorker(closed, 'eu')).toBeUndefined();
    expect(chooseWorker([], 'eu')).toBeUndefined();
  });
});

describe('DirectoryAgent', () => {
  /** One node: the rooms it serves, the ones it was told to stop, and its agent. */
  function agentOn(directory: Directory, id: string) {
    const rooms = new Set<string>();
    const stopped: string[] = [];
    const fenced: (RoomLease | undefined)[] = [];
    const agent = new DirectoryAgent(
      directory,
      () => worker(id, {}, { rooms: rooms.size }),
      { ids: () => [...rooms], stopServing: async (roomId) => void (rooms.delete(roomId), stopped.push(roomId)) },
      { nodeTtlMs: 3_000, leaseTtlMs: 3_000 },
      { fenced: (_roomId, holder) => void fenced.push(holder) },
    );
    return { rooms, stopped, fenced, agent };
  }

  it('announces the node, leases its rooms, gives up ended ones, and stops serving a room taken over', async () => {
    now = 1_000_000;
    const directory = new MemoryDirectory(clock);
    const a = agentOn(directory, 'a');
    a.rooms.add('r1');
    a.rooms.add('r2');
    await a.agent.beat();
    expect((await directory.nodes()).map((node) => [node.id, node.load.rooms])).toEqual([['a', 2]]);
    expect(await directory.owner('r1')).toMatchObject({ node: 'a', epoch: 1 });

    a.rooms.delete('r2');
    now += 1_000;
    await a.agent.beat();
    expect(await directory.owner('r2')).toBeUndefined();

    // a stalls past its lease; b restores r1 and takes it over.
    now += 4_000;
    const b = agentOn(directory, 'b');
    b.rooms.add('r1');
    await b.agent.beat();
    expect(await directory.owner('r1')).toMatchObject({ node: 'b', epoch: 2 });
    expect((await directory.nodes()).map((node) => node.id)).toEqual(['b']);
    await a.agent.beat();
    expect(a.stopped).toEqual(['r1']);
    expect(a.fenced).toMatchObject([{ node: 'b', epoch: 2 }]);
    expect(await directory.owner('r1')).toMatchObject({ node: 'b', epoch: 2 });

    await b.agent.leave('b');
    expect(await directory.owner('r1')).toBeUndefined();
    expect((await directory.nodes()).map((node) => node.id)).toEqual(['a']);
  });

  it('keeps the lease of a room claimed while a beat is giving up ended rooms', async () => {
    now = 1_000_000;
    const directory = new MemoryDirectory(clock);
    const a = agentOn(directory, 'a');
    a.rooms.add('ended');
    await a.agent.beat();
    a.rooms.delete('ended');
    // The beat is between its reads and its first release when the new room is made and claimed.
    const release = directory.release.bind(directory);
    let claimed: Promise<void> | undefined;
    directory.release = async (lease) => {
      a.rooms.add('fresh');
      claimed ??= a.agent.claim('fresh');
      await claimed;
      return release(lease);
    };
    await a.agent.beat();
    expect(await directory.owner('fresh')).toMatchObject({ node: 'a' });
    await a.agent.beat();
    expect(await directory.owner('fresh')).toMatchObject({ node: 'a', epoch: 1 });
    expect(a.stopped).toEqual([]);
  });
});
