import type { RoomCheckpoint, RoomState } from '../rooms/index.js';

/** One room's checkpoint write, made under its lease: a node fenced off (newer epoch elsewhere) writes nothing. */
export interface CheckpointWrite {
  roomId: string;
  node: string;
  epoch: number;
  state: RoomState;
  /** Where `record` goes in the stored record: 0 replaces it, else it is appended at exactly that length. */
  offset: number;
  record: Uint8Array;
}

/** `out_of_step`: the stored record is not `offset` bytes long (an earlier write was lost); write it whole. */
export type WriteOutcome = 'written' | 'fenced' | 'out_of_step';

export interface StoredCheckpoint extends RoomCheckpoint {
  /** When it was written (ms since the epoch). */
  writtenAt: number;
}

/**
 * Where rooms' checkpoints live so that another node can carry a room on when its node dies: shared through
 * Redis, next to the room leases that fence the writes.
 */
export interface CheckpointStore {
  /** Writes every checkpoint in one round trip; one outcome per write, in order. */
  write(writes: readonly CheckpointWrite[]): Promise<WriteOutcome[]>;
  read(roomId: string): Promise<StoredCheckpoint | undefined>;
  has(roomId: string): Promise<boolean>;
  /** Forgets a room's checkpoint: the room ended, or it has no lease left (nobody can carry it on). */
  drop(roomId: string): Promise<void>;
}
