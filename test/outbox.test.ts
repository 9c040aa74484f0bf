import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileJournal, MemoryJournal, Outbox, type Journal, type OutboxHandler, type OutboxOptions } from '../src/outbox/index.js';

class UnavailableError extends Error {}

/** Timers that fire only when a test says so, on a clock that moves only then. */
class FakeClock {
  now = 1_700_000_000_000;
  readonly delays: number[] = [];
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  readonly setTimer: NonNullable<OutboxOptions['setTimer']> = (fn, ms) => {
    const timer = { at: this.now + ms, fn, cancelled: false };
    this.delays.push(ms);
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  };

  get scheduled(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /** Moves to the earliest live timer and fires it; false when none is scheduled. */
  fireNext(): boolean {
    const live = this.timers.filter((timer) => !timer.cancelled).sort((a, b) => a.at - b.at);
    const next = live[0];
    if (!next) return false;
    this.timers = live.slice(1);
    this.now = Math.max(this.now, next.at);
    next.fn();
    return true;
  }
}

/** A promise settled from outside. */
function gate(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

interface LogLine {
  level: number;
  msg: string;
  key?: string;
}

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

let clock: FakeClock;
let logs: LogLine[];
let outboxes: Outbox[];
let dir: string;

beforeEach(() => {
  clock = new FakeClock();
  logs = [];
  outboxes = [];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gamev1-outbox-'));
});

afterEach(async () => {
  await Promise.all(outboxes.map((outbox) => outbox.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const logger = (): OutboxOptions['logger'] =>
  pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });

const messages = (level: keyof typeof LEVEL): string[] => logs.filter((line) => line.level === LEVEL[level]).map((line) => line.msg);

async function startOutbox(
  handlers: Record<string, OutboxHandler>,
  options: Partial<OutboxOptions> = {},
  journal: Journal = new MemoryJournal(),
): Promise<Outbox> {
  const outbox = new Outbox(journal, handlers, {
    retry: { initialMs: 100, maxMs: 1_000 },
    isUnavailable: (error) => error instanceof UnavailableError,
    now: () => clock.now,
    setTimer: clock.setTimer,
    logger: logger(),
    ...options,
  });
  outboxes.push(outbox);
  await outbox.start();
  return outbox;
}

/** Waits for the attempt in flight, if any; a scheduled retry is left alone. */
async function idle(outbox: Outbox): Promise<void> {
  if (clock.scheduled === 0) await outbox.flushNow();
}

/** Fires retries (waiting for each attempt) until the outbox is empty; fails after `limit` of them. */
async function runUntilDrained(outbox: Outbox, limit = 100): Promise<void> {
  await idle(outbox);
  for (let fired = 0; outbox.depth > 0; fired++) {
    if (fired === limit || !clock.fireNext()) throw new Error(`outbox not drained (depth ${outbox.depth})`);
    await idle(outbox);
  }
}

/** A handler that records each payload's `n` and fails the first `failures[n]` attempts with `error`. */
function scripted(failures: Record<number, number>, error: () => Error = () => new UnavailableError('database down')) {
  const calls: number[] = [];
  const written: number[] = [];
  const handler: OutboxHandler = async (payload) => {
    const { n } = payload as { n: number };
    calls.push(n);
    if ((failures[n] ?? 0) > calls.filter((call) => call === n).length - 1) throw error();
    written.push(n);
  };
  return { handler, calls, written };
}

describe('Outbox', () => {
  it('resolves put once the record is journaled, without waiting for the write', async () => {
    const journal = new MemoryJournal();
    const outbox = await startOutbox({ game: () => Promise.reject(new UnavailableError('database down')) }, {}, journal);
    await outbox.put('game', 'g1', { n: 1 });
    expect(await journal.load()).toMatchObject([{ key: 'g1', kind: 'game', payload: { n: 1 }, enqueuedAt: clock.now }]);

    const slow = gate();
    const waiting = await startOutbox({ game: () => slow.promise });
    await waiting.put('game', 'g2', { n: 2 });
    expect(waiting.depth).toBe(1);
    slow.resolve();
    await waiting.drained();
  });

  it('refuses put before start and payloads that are not JSON', async () => {
    const outbox = new Outbox(new MemoryJournal(), {}, { isUnavailable: () => true, now: () => clock.now, logger: logger() });
    await expect(outbox.put('game', 'g1', {})).rejects.toThrow(/before start/);
    outboxes.push(outbox);
    await outbox.start();
    await expect(outbox.put('game', 'g1', undefined)).rejects.toThrow(/JSON/);
    expect(outbox.depth).toBe(0);
  });

  it('writes in FIFO order across failures: a record is never written before the one ahead of it', async () => {
    const { handler, calls, written } = scripted({ 1: 3, 2: 1 });
    const outbox = await startOutbox({ game: handler });
    for (const n of [1, 2, 3]) await outbox.put('game', `g${n}`, { n });
    await runUntilDrained(outbox);
    expect(calls).toEqual([1, 1, 1, 1, 2, 2, 3]);
    expect(written).toEqual([1, 2, 3]);
  });

  it('backs off exponentially up to maxMs, and starts over for the next record', async () => {
    const { handler } = scripted({ 1: 6, 2: 2 });
    const outbox = await startOutbox({ game: handler }, { retry: { initialMs: 100, maxMs: 1_000, multiplier: 3 } });
    await outbox.put('game', 'g1', { n: 1 });
    await outbox.put('game', 'g2', { n: 2 });
    await runUntilDrained(outbox);
    expect(clock.delays).toEqual([100, 300, 900, 1_000, 1_000, 1_000, 100, 300]);
  });

  it('doubles from 500 ms to 30 s by default', async () => {
    const { handler } = scripted({ 1: 9 });
    const outbox = await startOutbox({ game: handler }, { retry: undefined });
    await outbox.put('game', 'g1', { n: 1 });
    await runUntilDrained(outbox);
    expect(clock.delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('retries "unavailable" errors forever', async () => {
    const { handler, written } = scripted({ 1: 50 });
    const outbox = await startOutbox({ game: handler }, { maxAttempts: 2 });
    await outbox.put('game', 'g1', { n: 1 });
    await runUntilDrained(outbox);
    expect(written).toEqual([1]);
    expect(await outbox.deadLetters()).toEqual([]);
  });

  it('dead-letters a record after maxAttempts other errors and moves on', async () => {
    const deadLettered: string[] = [];
    const { handler, calls, written } = scripted({ 1: 100 }, () => new Error('violates check constraint'));
    const outbox = await startOutbox(
      { game: handler },
      { maxAttempts: 3, metrics: { ...ignoredMetrics, deadLettered: (kind) => void deadLettered.push(kind) } },
    );
    await outbox.put('game', 'g1', { n: 1 });
    await outbox.put('game', 'g2', { n: 2 });
    await runUntilDrained(outbox);

    expect(calls).toEqual([1, 1, 1, 2]);
    expect(written).toEqual([2]);
    expect(deadLettered).toEqual(['game']);
    expect(await outbox.deadLetters()).toEqual([
      { record: expect.objectContaining({ key: 'g1', payload: { n: 1 } }), attempts: 3, error: 'violates check constraint', deadAt: clock.now },
    ]);
    expect(logs.filter((line) => line.level === LEVEL.error)).toMatchObject([{ key: 'g1' }]);
  });

  it('does not count "unavailable" failures toward maxAttempts', async () => {
    let attempt = 0;
    const outbox = await startOutbox(
      {
        game: async () => {
          attempt += 1;
          if (attempt <= 4) throw attempt % 2 === 0 ? new Error('bad row') : new UnavailableError('database down');
        },
      },
      { maxAttempts: 3 },
    );
    await outbox.put('game', 'g1', {});
    await runUntilDrained(outbox);
    expect(attempt).toBe(5);
    expect(await outbox.deadLetters()).toEqual([]);
  });

  it('dead-letters a record of an unknown kind at once, next to a file journal', async () => {
    const { handler, written } = scripted({});
    const outbox = await startOutbox({ game: handler }, {}, await FileJournal.open(dir, 'node-a'));
    await outbox.put('gmae', 'typo', { n: 0 });
    await outbox.put('game', 'g1', { n: 1 });
    await runUntilDrained(outbox);

    expect(written).toEqual([1]);
    expect(clock.delays).toEqual([]);
    const lines = fs.readFileSync(path.join(dir, 'node-a.dead.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { record: expect.objectContaining({ key: 'typo', kind: 'gmae' }), attempts: 0, error: 'no handler for kind gmae', deadAt: clock.now },
    ]);
    expect(await outbox.deadLetters()).toHaveLength(1);
  });

  it('ignores a put of a key already pending', async () => {
    const { handler, calls } = scripted({ 1: 2 });
    const journal = new MemoryJournal();
    const outbox = await startOutbox({ game: handler }, {}, journal);
    await Promise.all([outbox.put('game', 'g1', { n: 1 }), outbox.put('game', 'g1', { n: 1 })]);
    await outbox.put('game', 'g1', { n: 99 });
    expect(outbox.depth).toBe(1);
    expect(await journal.load()).toHaveLength(1);
    await runUntilDrained(outbox);
    expect(calls).toEqual([1, 1, 1]);
  });

  it('warns once per deferred record, logs the retries at debug and the late write at info', async () => {
    const { handler } = scripted({ 1: 3 });
    const outbox = await startOutbox({ game: handler });
    await outbox.put('game', 'g1', { n: 1 });
    await runUntilDrained(outbox);
    expect(messages('warn')).toEqual(['outbox: deferred game g1 (destination unavailable: database down); retrying in 0.1 s']);
    expect(messages('debug')).toHaveLength(2);
    expect(messages('info')).toEqual(['outbox: wrote deferred game g1 after 0.7 s']);
  });

  it('after a restart, writes every record journaled before it, in order', async () => {
    const failing = await startOutbox(
      { game: () => Promise.reject(new UnavailableError('database down')) },
      {},
      await FileJournal.open(dir, 'node-a'),
    );
    for (const n of [1, 2, 3, 4, 5]) await failing.put('game', `g${n}`, { n });
    await failing.stop();

    const { handler, written } = scripted({});
    const restarted = await startOutbox({ game: handler }, {}, await FileJournal.open(dir, 'node-a'));
    expect(messages('info')).toContain('outbox: 5 deferred writes from before the restart');
    await runUntilDrained(restarted);
    expect(written).toEqual([1, 2, 3, 4, 5]);
    expect(messages('info').filter((msg) => msg.startsWith('outbox: wrote deferred'))).toHaveLength(5);
    expect(fs.statSync(path.join(dir, 'node-a.journal')).size).toBe(0);
  });

  it('tells its depth and the oldest record’s age, and counts retries and writes', async () => {
    const reported = { written: [] as [string, number][], retried: [] as string[] };
    const { handler } = scripted({ 1: 1 });
    const outbox = await startOutbox(
      { game: handler },
      {
        metrics: {
          written: (kind, deferredMs) => void reported.written.push([kind, deferredMs]),
          retried: (kind) => void reported.retried.push(kind),
          deadLettered: () => undefined,
        },
      },
    );
    await outbox.put('game', 'g1', { n: 1 });
    await idle(outbox);
    clock.now += 5_000;
    await outbox.put('game', 'g2', { n: 2 });
    expect(outbox.depth).toBe(2);
    expect(outbox.oldestAgeSeconds()).toBe(5);

    await runUntilDrained(outbox);
    expect(reported.retried).toEqual(['game']);
    expect(reported.written).toEqual([
      ['game', 5_000],
      ['game', 0],
    ]);
    expect(outbox.depth).toBe(0);
    expect(outbox.oldestAgeSeconds()).toBe(0);
  });

  it('never runs a handler concurrently or twice for one record in a retry storm', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const calls: string[] = [];
    const gates: ReturnType<typeof gate>[] = [];
    const outbox = await startOutbox({
      game: async (_payload, record) => {
        calls.push(record.key);
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        const released = gate();
        gates.push(released);
        await released.promise;
        running -= 1;
        if (calls.length === 1) throw new UnavailableError('database down');
      },
    });
    const storm = (): Promise<void>[] => Array.from({ length: 50 }, () => outbox.flushNow());
    await outbox.put('game', 'g1', {});
    const flushes = storm();
    await outbox.put('game', 'g2', {});
    flushes.push(...storm());
    gates[0]!.resolve();
    await Promise.all(flushes);
    expect(clock.scheduled).toBe(1);

    // "The database is back" from many places at once, while the retry is slow too.
    flushes.push(...storm());
    await outbox.put('game', 'g3', {});
    flushes.push(...storm());
    for (let next = 1; next < 4; next++) {
      await eventually(() => gates.length > next);
      flushes.push(...storm());
      gates[next]!.resolve();
    }
    await Promise.all(flushes);
    await outbox.drained();
    expect(calls).toEqual(['g1', 'g1', 'g2', 'g3']);
    expect(mostAtOnce).toBe(1);
    expect(clock.scheduled).toBe(0);
  });

  it('stop() waits for the attempt in flight, then closes the journal', async () => {
    const slow = gate();
    const journal = new MemoryJournal();
    const outbox = await startOutbox({ game: () => slow.promise }, {}, journal);
    await outbox.put('game', 'g1', {});
    let stopped = false;
    const stopping = outbox.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    slow.resolve();
    await stopping;
    expect(outbox.depth).toBe(0);
    await expect(journal.load()).rejects.toThrow(/closed/);
    await expect(outbox.put('game', 'g2', {})).rejects.toThrow(/stopped/);
  });

  it('stop() cancels a scheduled retry and keeps the record journaled', async () => {
    const outbox = await startOutbox({ game: () => Promise.reject(new UnavailableError('database down')) }, {}, await FileJournal.open(dir, 'node-a'));
    await outbox.put('game', 'g1', {});
    await outbox.flushNow();
    expect(clock.scheduled).toBe(1);
    await outbox.stop();
    expect(clock.scheduled).toBe(0);
    const reopened = await FileJournal.open(dir, 'node-a');
    expect(await reopened.load()).toMatchObject([{ key: 'g1' }]);
    await reopened.close();
  });
});

const ignoredMetrics: NonNullable<OutboxOptions['metrics']> = {
  written: () => undefined,
  retried: () => undefined,
  deadLettered: () => undefined,
};

/** Lets pending promise callbacks (and a turn of the event loop) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits (a bounded number of event-loop turns) until `condition` holds. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn === 100) throw new Error('condition never held');
    await settle();
  }
}
