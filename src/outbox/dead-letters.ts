import { appendFile, readFile } from 'node:fs/promises';
import { JOURNAL_EXTENSION, type Journal, type OutboxRecord } from './journal.js';

/** A record the outbox gave up on: it needs a person (or a fixed handler) to be written. */
export interface DeadLetter {
  record: OutboxRecord;
  /** How many times its handler ran (0 when there was none for its kind). */
  attempts: number;
  /** Why it was given up: the last error's message. */
  error: string;
  /** When it was given up (ms since the epoch). */
  deadAt: number;
}

export interface DeadLetters {
  /** Where they are kept, for logs. */
  readonly location: string;
  add(letter: DeadLetter): Promise<void>;
  list(): Promise<DeadLetter[]>;
}

/** Next to a file journal (`<name>.dead.jsonl`), or in memory with a memory journal. */
export function deadLettersOf(journal: Journal): DeadLetters {
  if (journal.path === undefined) return new MemoryDeadLetters();
  const base = journal.path.endsWith(JOURNAL_EXTENSION) ? journal.path.slice(0, -JOURNAL_EXTENSION.length) : journal.path;
  return new FileDeadLetters(`${base}.dead.jsonl`);
}

/** One JSON line per letter, appended and flushed to disk. */
export class FileDeadLetters implements DeadLetters {
  constructor(readonly location: string) {}

  async add(letter: DeadLetter): Promise<void> {
    await appendFile(this.location, `${JSON.stringify(letter)}\n`, { flush: true });
  }

  async list(): Promise<DeadLetter[]> {
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as DeadLetter);
  }
}

export class MemoryDeadLetters implements DeadLetters {
  readonly location = 'memory';
  private readonly letters: DeadLetter[] = [];

  async add(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
  }

  async list(): Promise<DeadLetter[]> {
    return [...this.letters];
  }
}
