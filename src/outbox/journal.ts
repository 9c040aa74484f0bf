import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { decodeFrames, encodeFrame } from './frame.js';

/** One write waiting for its destination. */
export interface OutboxRecord {
  /** Identifies the write: at most one record per key is pending, and handlers deduplicate by it. */
  key: string;
  /** Selects the handler that performs the write. */
  kind: string;
  /** JSON-safe. */
  payload: unknown;
  /** When the record was first put (ms since the epoch). */
  enqueuedAt: number;
}

/** Where pending records are kept until they are acknowledged. */
export interface Journal {
  /** The journal file; undefined when records live in memory only. */
  readonly path: string | undefined;
  /** The pending records, in the order they were appended. */
  load(): Promise<OutboxRecord[]>;
  /** Resolves once the record is durable. A record whose key is already pending is kept as it was. */
  append(record: OutboxRecord): Promise<void>;
  /** Resolves once the record is durably gone; unknown keys are ignored. */
  ack(key: string): Promise<void>;
  close(): Promise<void>;
}

/** The `OUTBOX_DIR` value (or `openJournal` directory) that keeps the journal in memory. */
export const MEMORY_DIR = 'memory://';

export const JOURNAL_EXTENSION = '.journal';

/** The default of `FileJournalOptions.compactAfterDeadEntries`. */
const COMPACT_AFTER_DEAD_ENTRIES = 1_000;

/**
 * A new, empty file written at its end whatever the handle's position: after `truncate(0)` a positioned
 * write would leave a hole of zeros in front of the next frame.
 */
const CREATE_FOR_APPEND = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;

export interface FileJournalOptions {
  logger?: Logger;
  /**
   * Rewrite the file once at least this many of its entries are dead (acks and the puts they cancel) and they
   * fill more than half of it. Lowered only in tests.
   */
  compactAfterDeadEntries?: number;
}

type JournalEntry = { t: 'put'; record: OutboxRecord } | { t: 'ack'; key: string };

/**
 * `undefined` (or `memory://`) keeps the records in memory, anything else is a directory (created if missing)
 * holding `<name>.journal`. `name` is usually the node's: one journal per process.
 */
export async function openJournal(dir: string | undefined, name: string, options: FileJournalOptions = {}): Promise<Journal> {
  return dir === undefined || dir === MEMORY_DIR ? new MemoryJournal() : FileJournal.open(dir, name, options);
}

/** `name` restricted to `[A-Za-z0-9._-]` (anything else becomes `_`), so it cannot leave the directory. */
function safeFileName(name: string): string {
  if (name.length === 0) throw new Error('outbox: the journal needs a non-empty name');
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * An append-only file of `put` and `ack` entries, each in a CRC-checked frame and fdatasync'd before the call
 * resolves. Writes go one at a time through a promise chain, so concurrent calls never interleave their frames.
 * A crash mid-write leaves at most one damaged frame at the end; `load()` drops it and keeps everything before.
 */
export class FileJournal implements Journal {
  private readonly pending = new Map<string, { record: OutboxRecord; frameBytes: number }>();
  private fileBytes = 0;
  /** Bytes of the pending records' put frames; the rest of the file is dead. */
  private liveBytes = 0;
  private entryCount = 0;
  private scanned = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private writes: Promise<unknown> = Promise.resolve();
  private dropped = 0;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    private readonly options: FileJournalOptions,
  ) {}

  /** Bytes the last load dropped after the last good frame. */
  get droppedBytes(): number {
    return this.dropped;
  }

  static async open(dir: string, name: string, options: FileJournalOptions = {}): Promise<FileJournal> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${safeFileName(name)}${JOURNAL_EXTENSION}`);
    // Left by a compaction that crashed before its rename: the journal itself is still whole.
    await rm(temporaryPath(path), { force: true });
    return new FileJournal(path, await open(path, 'a'), options);
  }

  load(): Promise<OutboxRecord[]> {
    return this.serially(async () => {
      await this.scan();
      return [...this.pending.values()].map(({ record }) => record);
    });
  }

  append(record: OutboxRecord): Promise<void> {
    return this.serially(async () => {
      await this.ensureScanned();
      if (this.pending.has(record.key)) return;
      const frame = encodeFrame({ t: 'put', record } satisfies JournalEntry);
      await this.write(frame);
      this.pending.set(record.key, { record, frameBytes: frame.length });
      this.liveBytes += frame.length;
    });
  }

  ack(key: string): Promise<void> {
    return this.serially(async () => {
      await this.ensureScanned();
      const acked = this.pending.get(key);
      if (!acked) return;
      // The last pending record needs no ack frame: emptying the file acknowledges it just as durably.
      if (this.pending.size === 1) {
        await this.empty();
        this.pending.clear();
        return;
      }
      await this.write(encodeFrame({ t: 'ack', key } satisfies JournalEntry));
      this.pending.delete(key);
      this.liveBytes -= acked.frameBytes;
      await this.compact();
    });
  }

  close(): Promise<void> {
    this.closing ??= this.serially(async () => {
      this.closed = true;
      await this.handle.close();
    });
    return this.closing;
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.writes.then(() => {
      if (this.closed) throw new Error(`outbox journal ${this.path} is closed`);
      return operation();
    });
    this.writes = result.catch(() => undefined);
    return result;
  }

  private async ensureScanned(): Promise<void> {
    if (!this.scanned) await this.scan();
  }

  /** Replays the file into `pending` and cuts off a damaged tail, so that later appends stay readable. */
  private async scan(): Promise<void> {
    const data = await readFile(this.path);
    const { entries, goodBytes } = decodeFrames(data, isJournalEntry);
    this.pending.clear();
    this.liveBytes = 0;
    for (const { entry, bytes } of entries) {
      if (entry.t === 'ack') {
        this.liveBytes -= this.pending.get(entry.key)?.frameBytes ?? 0;
        this.pending.delete(entry.key);
      } else if (!this.pending.has(entry.record.key)) {
        this.pending.set(entry.record.key, { record: entry.record, frameBytes: bytes });
        this.liveBytes += bytes;
      }
    }
    this.entryCount = entries.length;
    this.fileBytes = goodBytes;
    this.dropped = data.length - goodBytes;
    this.scanned = true;
    if (this.droppedBytes > 0) {
      await this.handle.truncate(goodBytes);
      await this.handle.datasync();
      this.options.logger?.warn(
        { path: this.path, droppedBytes: this.droppedBytes, kept: this.pending.size },
        `outbox: dropped ${this.droppedBytes} damaged bytes at the end of ${this.path} (a write cut short); every complete record before them is kept`,
      );
    }
    await this.compact();
  }

  private async write(frame: Buffer): Promise<void> {
    try {
      await writeFully(this.handle, frame);
      await this.handle.datasync();
    } catch (error) {
      // A partial frame would hide every later one from load(): cut it off before anything is appended behind it.
      await this.handle.truncate(this.fileBytes).catch(() => undefined);
      throw error;
    }
    this.fileBytes += frame.length;
    this.entryCount += 1;
  }

  private async empty(): Promise<void> {
    await this.handle.truncate(0);
    this.fileBytes = 0;
    this.liveBytes = 0;
    this.entryCount = 0;
    await this.handle.datasync();
  }

  private async compact(): Promise<void> {
    if (this.pending.size === 0) {
      if (this.fileBytes > 0) await this.empty();
      return;
    }
    const deadEntries = this.entryCount - this.pending.size;
    const deadBytes = this.fileBytes - this.liveBytes;
    if (deadEntries < (this.options.compactAfterDeadEntries ?? COMPACT_AFTER_DEAD_ENTRIES) || deadBytes * 2 <= this.fileBytes) return;
    try {
      await this.rewrite();
    } catch (error) {
      // The acknowledgement is already durable; the file is merely bigger than it needs to be.
      this.options.logger?.warn({ err: error, path: this.path }, 'outbox: compacting the journal failed');
    }
  }

  /** Writes the pending records to a new file and renames it over the journal, keeping its handle for appends. */
  private async rewrite(): Promise<void> {
    const temporary = temporaryPath(this.path);
    const frames = Buffer.concat([...this.pending.values()].map(({ record }) => encodeFrame({ t: 'put', record } satisfies JournalEntry)));
    const handle = await open(temporary, CREATE_FOR_APPEND);
    try {
      await writeFully(handle, frames);
      await handle.sync();
      await rename(temporary, this.path);
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    const previous = this.handle;
    this.handle = handle;
    this.fileBytes = frames.length;
    this.liveBytes = frames.length;
    this.entryCount = this.pending.size;
    try {
      await syncDirectory(dirname(this.path));
    } finally {
      await previous.close();
    }
  }
}

/**
 * The same contract without a file, for `memory://`: nothing survives a restart, so a crash loses every write
 * still deferred. For development and tests.
 */
export class MemoryJournal implements Journal {
  readonly path = undefined;
  private readonly pending = new Map<string, OutboxRecord>();
  private closed = false;

  async load(): Promise<OutboxRecord[]> {
    this.assertOpen();
    return [...this.pending.values()];
  }

  async append(record: OutboxRecord): Promise<void> {
    this.assertOpen();
    if (!this.pending.has(record.key)) this.pending.set(record.key, record);
  }

  async ack(key: string): Promise<void> {
    this.assertOpen();
    this.pending.delete(key);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('outbox journal (memory) is closed');
  }
}

async function writeFully(handle: FileHandle, data: Buffer): Promise<void> {
  for (let written = 0; written < data.length; ) {
    written += (await handle.write(data, written, data.length - written)).bytesWritten;
  }
}

function temporaryPath(path: string): string {
  return `${path}.tmp`;
}

/** Makes a rename in `dir` durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isJournalEntry(value: unknown): value is JournalEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  if (entry.t === 'ack') return typeof entry.key === 'string';
  return entry.t === 'put' && isRecord(entry.record);
}

function isRecord(value: unknown): value is OutboxRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.key === 'string' && typeof record.kind === 'string' && typeof record.enqueuedAt === 'number' && 'payload' in record;
}
