import type { Directory } from '../directory/index.js';
import type { CheckpointStore, CheckpointWrite, StoredCheckpoint, WriteOutcome } from './types.js';

/** Checkpoints of one process, fenced by a directory's leases like the Redis store (for tests and a lone node). */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly checkpoints = new Map<string, StoredCheckpoint>();

  constructor(
    private readonly directory: Pick<Directory, 'owner'>,
    private readonly now: () => number = Date.now,
  ) {}

  async write(writes: readonly CheckpointWrite[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const write of writes) outcomes.push(await this.writeOne(write));
    return outcomes;
  }

  async read(roomId: string): Promise<StoredCheckpoint | undefined> {
    const stored = this.checkpoints.get(roomId);
    return stored && { ...stored, state: structuredClone(stored.state), record: stored.record.slice() };
  }

  async drop(roomId: string): Promise<void> {
    this.checkpoints.delete(roomId);
  }

  async has(roomId: string): Promise<boolean> {
    return this.checkpoints.has(roomId);
  }

  private async writeOne(write: CheckpointWrite): Promise<WriteOutcome> {
    const lease = await this.directory.owner(write.roomId);
    if (!lease || lease.node !== write.node || lease.epoch !== write.epoch) return 'fenced';
    const stored = this.checkpoints.get(write.roomId);
    let record: Uint8Array;
    if (write.offset === 0) record = write.record.slice();
    else {
      if (!stored || stored.record.length !== write.offset) return 'out_of_step';
      record = new Uint8Array(write.offset + write.record.length);
      record.set(stored.record);
      record.set(write.record, write.offset);
    }
    this.checkpoints.set(write.roomId, { state: structuredClone(write.state), record, writtenAt: this.now() });
    return 'written';
  }
}
