import type { Redis } from 'ioredis';
import type { RoomState } from '../rooms/index.js';
import type { CheckpointStore, CheckpointWrite, StoredCheckpoint, WriteOutcome } from './types.js';

/** A checkpoint nobody took over within this long is forgotten (the room is lost by then anyway). */
const CHECKPOINT_TTL_MS = 10 * 60 * 1000;

// KEYS: the room's lease hash, its state key, its record key. ARGV: node, epoch, state JSON, offset, bytes, ttl.
// Returns 1 written, 0 fenced (the lease is another node's or another epoch's), 2 out of step.
const WRITE = `
if redis.call('HGET', KEYS[1], 'node') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[2] then return 0 end
local offset = tonumber(ARGV[4])
if offset == 0 then
  redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6])
else
  if redis.call('STRLEN', KEYS[3]) ~= offset then return 2 end
  redis.call('APPEND', KEYS[3], ARGV[5])
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[6])
return 1`;

const OUTCOMES: Record<number, WriteOutcome> = { 0: 'fenced', 1: 'written', 2: 'out_of_step' };

interface CheckpointCommands {
  gamev1CheckpointWrite(lease: string, state: string, record: string, node: string, epoch: number, stateJson: string, offset: number, bytes: Buffer, ttl: number): Promise<number>;
}

/** Checkpoints in Redis: `ckpt:<room>:state` (JSON with the write time) and `ckpt:<room>:record` (appended bytes). */
export class RedisCheckpointStore implements CheckpointStore {
  constructor(
    private readonly redis: Redis,
    /** The key of a room's lease hash in the directory (RedisDirectory.leaseKey). */
    private readonly leaseKey: (roomId: string) => string,
    private readonly now: () => number = Date.now,
  ) {
    redis.defineCommand('gamev1CheckpointWrite', { numberOfKeys: 3, lua: WRITE });
  }

  async write(writes: readonly CheckpointWrite[]): Promise<WriteOutcome[]> {
    if (writes.length === 0) return [];
    const at = this.now();
    const pipeline = this.redis.pipeline() as unknown as CheckpointCommands & { exec(): Promise<[Error | null, unknown][] | null> };
    for (const write of writes) {
      const state = JSON.stringify({ at, state: write.state });
      const bytes = Buffer.from(write.record.buffer, write.record.byteOffset, write.record.byteLength);
      void pipeline.gamev1CheckpointWrite(this.leaseKey(write.roomId), ...keys(write.roomId), write.node, write.epoch, state, write.offset, bytes, CHECKPOINT_TTL_MS);
    }
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, reply]) => {
      if (error) throw error;
      return OUTCOMES[Number(reply)] ?? 'out_of_step';
    });
  }

  async read(roomId: string): Promise<StoredCheckpoint | undefined> {
    const [stateKey, recordKey] = keys(roomId);
    // One transaction: a state and a record from two different writes would not fit together.
    const replies = await this.redis.multi().get(stateKey).getBuffer(recordKey).exec();
    const state = replies?.[0]?.[1] as string | null | undefined;
    const record = replies?.[1]?.[1] as Buffer | null | undefined;
    if (!state || !record) return undefined;
    const { at, state: roomState } = JSON.parse(state) as { at: number; state: RoomState };
    return { state: roomState, record: new Uint8Array(record), writtenAt: at };
  }

  async drop(roomId: string): Promise<void> {
    await this.redis.del(...keys(roomId));
  }

  async has(roomId: string): Promise<boolean> {
    return (await this.redis.exists(keys(roomId)[0])) === 1;
  }
}

const keys = (roomId: string): [string, string] => [`ckpt:${roomId}:state`, `ckpt:${roomId}:record`];
