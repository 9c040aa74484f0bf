import type { Logger } from 'pino';
import { deadLettersOf, type DeadLetter, type DeadLetters } from './dead-letters.js';
import type { Journal, OutboxRecord } from './journal.js';

/**
 * Performs one kind of write. The outbox delivers at least once (a crash between the write and its ack repeats
 * it), so a handler must be idempotent by `record.key`: writing the same key twice must have the effect of once.
 */
export type OutboxHandler = (payload: unknown, record: OutboxRecord) => Promise<void>;

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  /** Growth of the delay after each failure; 2 unless set. */
  multiplier?: number;
}

export interface ScheduledTimer {
  cancel(): void;
}

export type SetTimer = (fn: () => void, ms: number) => ScheduledTimer;

/** Counters of what the outbox did; its depth and oldest age are read from it (`depth`, `oldestAgeSeconds()`). */
export interface OutboxMetrics {
  /** A record was written, `deferredMs` after it was put. */
  written(kind: string, deferredMs: number): void;
  retried(kind: string): void;
  deadLettered(kind: string): void;
}

export interface OutboxOptions {
  retry?: RetryPolicy;
  /** Attempts before a record failing with errors other than "unavailable" is dead-lettered; 10 unless set. */
  maxAttempts?: number;
  /** True for errors that mean "the destination is down" (retried forever) rather than "this record is bad". */
  isUnavailable: (error: unknown) => boolean;
  now: () => number;
  /** Schedules retries; an unref'd setTimeout unless set (tests pass a fake clock). */
  setTimer?: SetTimer;
  logger: Logger;
  metrics?: OutboxMetrics;
}

const DEFAULT_RETRY: Required<RetryPolicy> = { initialMs: 500, maxMs: 30_000, multiplier: 2 };
const DEFAULT_MAX_ATTEMPTS = 10;

interface Pending {
  record: OutboxRecord;
  /** False until the journal has it: only journaled records are written, so a write never outruns its record. */
  journaled: boolean;
  /** Put before this process started, or failed at least once: its write is logged when it finally lands. */
  deferred: boolean;
  /** Failed attempts since it reached the head; sets the backoff. */
  failures: number;
  /** Failures with errors other than "unavailable"; `maxAttempts` of them dead-letter it. */
  rejections: number;
}

/**
 * Writes that must not be lost (a finished game, a rating update): each is journaled durably, then written
 * by its kind's handler in strict FIFO order, one at a time, retried with exponential backoff until it lands.
 * Errors that say the destination is unavailable are retried forever; others dead-letter the record after
 * `maxAttempts`, and the queue moves on. Delivery is at least once: handlers must be idempotent by key.
 */
export class Outbox {
  private readonly queue: Pending[] = [];
  private readonly byKey = new Map<string, Pending>();
  /** The append in progress of each key being put, so that a duplicate put resolves when the first does. */
  private readonly appending = new Map<string, Promise<void>>();
  private readonly deadLetterStore: DeadLetters;
  private readonly retry: Required<RetryPolicy>;
  private readonly setTimer: SetTimer;
  private loading: Promise<void> | undefined;
  private flushing: Promise<void> | undefined;
  private retryTimer: ScheduledTimer | undefined;
  private stopping: Promise<void> | undefined;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly journal: Journal,
    private readonly handlers: Record<string, OutboxHandler>,
    private readonly options: OutboxOptions,
  ) {
    this.deadLetterStore = deadLettersOf(journal);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.setTimer = options.setTimer ?? unrefTimer;
  }

  /** Where pending records are kept, for /healthz. */
  get backend(): 'file' | 'memory' {
    return this.journal.path === undefined ? 'memory' : 'file';
  }

  get depth(): number {
    return this.queue.length;
  }

  /** The records not yet written, oldest first. */
  pending(): OutboxRecord[] {
    return this.queue.map((entry) => entry.record);
  }

  /** Age of the oldest pending record; 0 when none is. */
  oldestAgeSeconds(): number {
    const oldest = this.queue[0];
    return oldest ? Math.max(0, this.options.now() - oldest.record.enqueuedAt) / 1000 : 0;
  }

  /** Takes over the records the journal still holds (from before a restart) and starts writing them. */
  start(): Promise<void> {
    this.loading ??= this.load();
    return this.loading;
  }

  /**
   * Resolves once the record is durably journaled (a crash after that loses nothing), not when it is written.
   * A key already pending is not added again.
   */
  async put(kind: string, key: string, payload: unknown): Promise<void> {
    if (!this.loading) throw new Error('outbox: put before start()');
    await this.loading;
    if (this.stopping) throw new Error(`outbox: stopped, cannot put ${kind} ${key}`);
    if (this.byKey.has(key)) return this.appending.get(key);
    const entry = this.enqueue({ key, kind, payload: asStored(payload), enqueuedAt: this.options.now() }, false);
    const appended = this.journal.append(entry.record).then(
      () => {
        entry.journaled = true;
        this.kick();
      },
      (error: unknown) => {
        this.remove(entry);
        throw error;
      },
    );
    this.appending.set(key, appended);
    try {
      await appended;
    } finally {
      this.appending.delete(key);
    }
  }

  /** Tries the head now instead of at its scheduled retry (e.g. on a hint that the database is back). */
  async flushNow(): Promise<void> {
    this.cancelRetry();
    this.kick();
    await this.flushing;
  }

  /** Resolves when no record is pending. */
  drained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** The records given up on, oldest first. */
  deadLetters(): Promise<DeadLetter[]> {
    return this.deadLetterStore.list();
  }

  /** Cancels retries, waits for the attempt in flight and closes the journal; pending records stay in it. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async load(): Promise<void> {
    const records = await this.journal.load();
    for (const record of records) this.enqueue(record, true);
    if (records.length > 0) {
      this.options.logger.info({ count: records.length }, `outbox: ${records.length} deferred writes from before the restart`);
    }
    this.settleDrained();
    this.kick();
  }

  private async shutdown(): Promise<void> {
    this.cancelRetry();
    await this.loading?.catch(() => undefined);
    await this.flushing;
    await this.journal.close();
  }

  private enqueue(record: OutboxRecord, restored: boolean): Pending {
    const entry: Pending = { record, journaled: restored, deferred: restored, failures: 0, rejections: 0 };
    this.queue.push(entry);
    this.byKey.set(record.key, entry);
    return entry;
  }

  private remove(entry: Pending): void {
    const index = this.queue.indexOf(entry);
    if (index >= 0) this.queue.splice(index, 1);
    this.byKey.delete(entry.record.key);
    this.settleDrained();
  }

  /** Wakes whoever waits in drained() once nothing is pending. */
  private settleDrained(): void {
    if (this.queue.length === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** Starts a flush unless one runs, a retry is scheduled or the head is not journaled yet. */
  private kick(): void {
    if (this.stopping || this.flushing || this.retryTimer || !this.queue[0]?.journaled) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // A record journaled while the flush was finishing found it still running.
      this.kick();
    });
  }

  private cancelRetry(): void {
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
  }

  /** Writes records from the head until the queue is empty, the head fails or the outbox stops. Never throws. */
  private async flush(): Promise<void> {
    for (let head = this.queue[0]; head?.journaled && !this.stopping; head = this.queue[0]) {
      try {
        if (!(await this.attempt(head))) return;
      } catch (error) {
        // The journal failed (acking or dead-lettering): the write may be repeated, which handlers tolerate.
        head.failures += 1;
        const delayMs = this.scheduleRetry(head);
        this.options.logger.error(
          { err: error, kind: head.record.kind, key: head.record.key, delayMs },
          `outbox: journal error after ${head.record.kind} ${head.record.key}; retrying in ${seconds(delayMs)}`,
        );
        return;
      }
    }
  }

  /** True when the head is settled (written or dead-lettered), false when it waits for a retry. */
  private async attempt(entry: Pending): Promise<boolean> {
    const { record } = entry;
    const handler = Object.hasOwn(this.handlers, record.kind) ? this.handlers[record.kind] : undefined;
    if (!handler) {
      await this.deadLetter(entry, `no handler for kind ${record.kind}`);
      return true;
    }
    try {
      await handler(record.payload, record);
    } catch (error) {
      return this.failed(entry, error);
    }
    await this.journal.ack(record.key);
    this.remove(entry);
    const deferredMs = this.options.now() - record.enqueuedAt;
    this.options.metrics?.written(record.kind, deferredMs);
    if (entry.deferred) {
      this.options.logger.info(
        { kind: record.kind, key: record.key, deferredMs },
        `outbox: wrote deferred ${record.kind} ${record.key} after ${seconds(deferredMs)}`,
      );
    }
    return true;
  }

  private async failed(entry: Pending, error: unknown): Promise<boolean> {
    const { record } = entry;
    entry.failures += 1;
    entry.deferred = true;
    const unavailable = this.options.isUnavailable(error);
    if (!unavailable) entry.rejections += 1;
    if (entry.rejections >= (this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
      await this.deadLetter(entry, messageOf(error));
      return true;
    }
    this.options.metrics?.retried(record.kind);
    const delayMs = this.scheduleRetry(entry);
    const reason = unavailable ? 'destination unavailable' : `attempt ${entry.rejections} failed`;
    const details = { err: error, kind: record.kind, key: record.key, failures: entry.failures, delayMs };
    const message = `outbox: deferred ${record.kind} ${record.key} (${reason}: ${messageOf(error)}); retrying in ${seconds(delayMs)}`;
    if (entry.failures === 1) this.options.logger.warn(details, message);
    else this.options.logger.debug(details, message);
    return false;
  }

  private async deadLetter(entry: Pending, error: string): Promise<void> {
    const { record } = entry;
    await this.deadLetterStore.add({ record, attempts: entry.failures, error, deadAt: this.options.now() });
    await this.journal.ack(record.key);
    this.remove(entry);
    this.options.logger.error(
      { kind: record.kind, key: record.key, attempts: entry.failures, error },
      `outbox: gave up on ${record.kind} ${record.key} after ${entry.failures} attempts (${error}); kept in ${this.deadLetterStore.location}`,
    );
    this.options.metrics?.deadLettered(record.kind);
  }

  /** Schedules the next attempt at the head, `failures` steps into the backoff; answers the delay. */
  private scheduleRetry(entry: Pending): number {
    const { initialMs, maxMs, multiplier } = this.retry;
    const delayMs = Math.min(maxMs, initialMs * multiplier ** (entry.failures - 1));
    if (this.stopping) return delayMs;
    this.retryTimer = this.setTimer(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delayMs);
    return delayMs;
  }
}

/** The payload as the journal gives it back after a restart, so a handler sees the same value either way. */
function asStored(payload: unknown): unknown {
  const json = JSON.stringify(payload);
  if (json === undefined) throw new TypeError('outbox: the payload must be JSON-serialisable');
  return JSON.parse(json);
}

function unrefTimer(fn: () => void, ms: number): ScheduledTimer {
  const timer = setTimeout(fn, ms).unref();
  return { cancel: () => clearTimeout(timer) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
