import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileJournal, MemoryJournal, openJournal, type Journal, type OutboxRecord } from '../src/outbox/index.js';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gamev1-journal-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function record(n: number, payload: unknown = { game: n, players: ['ada', 'bob'] }): OutboxRecord {
  return { key: `game-${n}:ended`, kind: 'game.finished', payload, enqueuedAt: 1_700_000_000_000 + n };
}

const keysOf = (records: OutboxRecord[]): string[] => records.map((r) => r.key);

interface Driver {
  name: string;
  open(): Promise<Journal>;
}

const drivers: Driver[] = [
  { name: 'FileJournal', open: () => FileJournal.open(dir, 'node-a') },
  { name: 'MemoryJournal', open: async () => new MemoryJournal() },
];

describe.each(drivers)('$name: the shared contract', (driver) => {
  let journal: Journal;

  beforeEach(async () => {
    journal = await driver.open();
  });

  afterEach(async () => {
    await journal.close();
  });

  it('loads pending records in append order, without the acked ones', async () => {
    expect(await journal.load()).toEqual([]);
    for (const n of [1, 2, 3, 4]) await journal.append(record(n));
    await journal.ack(record(2).key);
    expect(await journal.load()).toEqual([record(1), record(3), record(4)]);
  });

  it('keeps a pending key as it was and ignores acks of unknown keys', async () => {
    await journal.append(record(1));
    await journal.append({ ...record(1), payload: 'replacement' });
    await journal.ack('never-put');
    expect(await journal.load()).toEqual([record(1)]);
  });

  it('accepts a key again once it was acked', async () => {
    await journal.append(record(1));
    await journal.append(record(2));
    await journal.ack(record(1).key);
    await journal.append(record(1));
    expect(keysOf(await journal.load())).toEqual([record(2).key, record(1).key]);
  });

  it('keeps concurrent appends in call order', async () => {
    const records = Array.from({ length: 40 }, (_, n) => record(n, 'x'.repeat((n * 37) % 300)));
    await Promise.all(records.map((r) => journal.append(r)));
    expect(await journal.load()).toEqual(records);
  });

  it('refuses writes once closed', async () => {
    await journal.close();
    await expect(journal.append(record(1))).rejects.toThrow(/closed/);
    await journal.close();
  });
});

describe('FileJournal', () => {
  const file = (): string => path.join(dir, 'node-a.journal');

  it('survives a reopen: the new journal sees the pending records in order', async () => {
    const first = await FileJournal.open(dir, 'node-a');
    for (const n of [1, 2, 3]) await first.append(record(n));
    await first.ack(record(1).key);
    await first.close();

    const second = await FileJournal.open(dir, 'node-a');
    expect(second.path).toBe(file());
    expect(await second.load()).toEqual([record(2), record(3)]);
    await second.ack(record(3).key);
    await second.append(record(4));
    await second.close();

    const third = await FileJournal.open(dir, 'node-a');
    expect(await third.load()).toEqual([record(2), record(4)]);
    await third.close();
  });

  it('empties the file when the last pending record is acked', async () => {
    const journal = await FileJournal.open(dir, 'node-a');
    await journal.append(record(1));
    await journal.append(record(2));
    await journal.ack(record(1).key);
    expect(fs.statSync(file()).size).toBeGreaterThan(0);
    await journal.ack(record(2).key);
    expect(fs.statSync(file()).size).toBe(0);
    await journal.append(record(3));
    await journal.close();

    const reopened = await FileJournal.open(dir, 'node-a');
    expect(await reopened.load()).toEqual([record(3)]);
    await reopened.close();
  });

  /** Writes records 1–3, damages the file, and checks that a reopened journal keeps `kept` and appends readably. */
  async function expectRecoveryFrom(damage: (file: string) => void, kept: OutboxRecord[]): Promise<void> {
    const journal = await FileJournal.open(dir, 'node-a');
    for (const n of [1, 2, 3]) await journal.append(record(n));
    await journal.close();
    damage(file());
    const damagedSize = fs.statSync(file()).size;

    const recovered = await FileJournal.open(dir, 'node-a');
    expect(await recovered.load()).toEqual(kept);
    expect(recovered.droppedBytes).toBeGreaterThan(0);
    expect(fs.statSync(file()).size).toBe(damagedSize - recovered.droppedBytes);
    await recovered.append(record(4));
    await recovered.close();

    const reopened = await FileJournal.open(dir, 'node-a');
    expect(await reopened.load()).toEqual([...kept, record(4)]);
    expect(reopened.droppedBytes).toBe(0);
    await reopened.close();
  }

  it('drops a frame cut short by a crash and keeps every complete one before it', async () => {
    await expectRecoveryFrom((journalFile) => fs.truncateSync(journalFile, fs.statSync(journalFile).size - 5), [record(1), record(2)]);
  });

  it('drops a last frame whose CRC does not match', async () => {
    await expectRecoveryFrom(
      (journalFile) => {
        const data = fs.readFileSync(journalFile);
        data[data.length - 3] = data[data.length - 3]! ^ 0xff;
        fs.writeFileSync(journalFile, data);
      },
      [record(1), record(2)],
    );
  });

  it('drops a frame header cut short', async () => {
    await expectRecoveryFrom((journalFile) => fs.appendFileSync(journalFile, Buffer.from([7, 0, 0])), [record(1), record(2), record(3)]);
  });

  it('compacts acked entries away, keeping the pending records and their order', async () => {
    const journal = await FileJournal.open(dir, 'node-a', { compactAfterDeadEntries: 4 });
    for (const n of [1, 2, 3, 4, 5, 6]) await journal.append(record(n));
    const fullSize = fs.statSync(file()).size;
    for (const n of [1, 2, 4]) await journal.ack(record(n).key);

    // Only the three pending puts are left: exactly half the size of the six puts.
    expect(fs.statSync(file()).size).toBe(fullSize / 2);
    expect(fs.existsSync(`${file()}.tmp`)).toBe(false);
    await journal.append(record(7));
    await journal.ack(record(5).key);
    await journal.close();

    const reopened = await FileJournal.open(dir, 'node-a');
    expect(await reopened.load()).toEqual([record(3), record(6), record(7)]);
    await reopened.close();
  });

  it('does not compact while the acked entries are few', async () => {
    const journal = await FileJournal.open(dir, 'node-a');
    for (const n of [1, 2, 3]) await journal.append(record(n));
    const fullSize = fs.statSync(file()).size;
    await journal.ack(record(1).key);
    expect(fs.statSync(file()).size).toBeGreaterThan(fullSize);
    await journal.close();
  });

  it('never interleaves the frames of concurrent appends and acks', async () => {
    const journal = await FileJournal.open(dir, 'node-a');
    const records = Array.from({ length: 60 }, (_, n) => record(n, 'y'.repeat((n * 53) % 2_000)));
    await Promise.all([
      ...records.map((r) => journal.append(r)),
      ...records.filter((_, n) => n % 3 === 0).map((r) => journal.ack(r.key)),
    ]);
    await journal.close();

    const reopened = await FileJournal.open(dir, 'node-a');
    expect(await reopened.load()).toEqual(records.filter((_, n) => n % 3 !== 0));
    expect(reopened.droppedBytes).toBe(0);
    await reopened.close();
  });

  it('ignores the leftover of a compaction that crashed before its rename', async () => {
    const journal = await FileJournal.open(dir, 'node-a');
    await journal.append(record(1));
    await journal.close();
    fs.writeFileSync(`${file()}.tmp`, 'half-written');

    const reopened = await FileJournal.open(dir, 'node-a');
    expect(await reopened.load()).toEqual([record(1)]);
    expect(fs.existsSync(`${file()}.tmp`)).toBe(false);
    await reopened.close();
  });
});

describe('openJournal', () => {
  it('keeps records in memory without a directory or with memory://', async () => {
    for (const where of [undefined, 'memory://']) {
      const journal = await openJournal(where, 'node-a');
      expect(journal).toBeInstanceOf(MemoryJournal);
      expect(journal.path).toBeUndefined();
      await journal.close();
    }
  });

  it('creates the directory and keeps the file inside it whatever the name', async () => {
    const nested = path.join(dir, 'a', 'b');
    const journal = await openJournal(nested, '../../escape/node 1');
    expect(journal).toBeInstanceOf(FileJournal);
    expect(journal.path).toBe(path.join(nested, '.._.._escape_node_1.journal'));
    await journal.append(record(1));
    expect(fs.existsSync(journal.path!)).toBe(true);
    await journal.close();
  });

  it('refuses an empty name', async () => {
    await expect(openJournal(dir, '')).rejects.toThrow(/non-empty/);
  });
});
