export {
  Outbox,
  type OutboxHandler,
  type OutboxMetrics,
  type OutboxOptions,
  type RetryPolicy,
  type ScheduledTimer,
  type SetTimer,
} from './outbox.js';
export {
  FileJournal,
  MemoryJournal,
  MEMORY_DIR,
  openJournal,
  type FileJournalOptions,
  type Journal,
  type OutboxRecord,
} from './journal.js';
export type { DeadLetter } from './dead-letters.js';
