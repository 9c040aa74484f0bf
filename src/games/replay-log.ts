/**
 * The record of one match that, with its seed and settings, is enough to replay it: who joined (with the team)
 * and left, every input the simulation accepted, and the steps in between, in the order they happened. Binary
 * and append-only into one growing buffer, so recording costs no allocation per input.
 */

const enum Op {
  /** varint: steps run in a row. */
  Steps = 1,
  /** varint entity, u8 team. */
  Join = 2,
  /** varint entity. */
  Leave = 3,
  /** varint entity, varint sequence, u8 flags, f32 move x, f32 move z, [f32 aim x, y, z]. */
  Input = 4,
}

const JUMP = 1;
const SHOOT = 2;
const AIM = 4;

/** Bytes one input can take at most. */
const MAX_INPUT_BYTES = 1 + 10 + 10 + 1 + 5 * 4;

export class ReplayFormatError extends Error {
  override name = 'ReplayFormatError';
}

/** An input as recorded: movement and aim as the float32 values the simulation was given. */
export interface RecordedInput {
  sequence: number;
  moveX: number;
  moveZ: number;
  jump: boolean;
  shoot: boolean;
  aim: { x: number; y: number; z: number } | undefined;
}

export type ReplayEvent =
  | { type: 'steps'; count: number }
  | { type: 'join'; entity: number; team: number }
  | { type: 'leave'; entity: number }
  | ({ type: 'input'; entity: number } & RecordedInput);

export class ReplayWriter {
  private bytes: Uint8Array;
  private view: DataView;
  private length = 0;
  /** Where the count of the current run of steps sits (-1: the last op was not a step). */
  private stepsAt = -1;
  private pendingSteps = 0;
  private overflowed = false;

  constructor(
    /** Past this many bytes the match is no longer recorded (a bound on memory per room). */
    private readonly maxBytes: number,
    initialBytes = 4096,
  ) {
    this.bytes = new Uint8Array(Math.min(initialBytes, maxBytes));
    this.view = new DataView(this.bytes.buffer);
  }

  step(): void {
    if (this.overflowed) return;
    if (this.stepsAt < 0) {
      if (!this.reserve(1 + 10)) return;
      this.bytes[this.length++] = Op.Steps;
      this.stepsAt = this.length;
      this.pendingSteps = 0;
    }
    this.pendingSteps++;
  }

  join(entity: number, team: number): void {
    if (!this.begin(1 + 10 + 1)) return;
    this.bytes[this.length++] = Op.Join;
    this.varint(entity);
    this.bytes[this.length++] = team;
  }

  leave(entity: number): void {
    if (!this.begin(1 + 10)) return;
    this.bytes[this.length++] = Op.Leave;
    this.varint(entity);
  }

  input(entity: number, sequence: number, moveX: number, moveZ: number, jump: boolean, shoot: boolean, aim: { x: number; y: number; z: number } | undefined): void {
    if (!this.begin(MAX_INPUT_BYTES)) return;
    this.bytes[this.length++] = Op.Input;
    this.varint(entity);
    this.varint(sequence);
    this.bytes[this.length++] = (jump ? JUMP : 0) | (shoot ? SHOOT : 0) | (aim ? AIM : 0);
    this.float(moveX);
    this.float(moveZ);
    if (aim) {
      this.float(aim.x);
      this.float(aim.y);
      this.float(aim.z);
    }
  }

  /** The record so far (a copy), or undefined once it outgrew its bound. */
  finish(): Uint8Array | undefined {
    return this.since(0);
  }

  /**
   * The record from byte `offset` on (a copy), or undefined once it outgrew its bound. An open run of steps is
   * closed first, so the bytes before the new length never change again: a reader can append what follows.
   */
  since(offset: number): Uint8Array | undefined {
    if (this.overflowed) return undefined;
    this.closeSteps();
    return this.bytes.slice(Math.min(offset, this.length), this.length);
  }

  /** Closes a run of steps before another op. */
  private begin(bytes: number): boolean {
    if (this.overflowed) return false;
    this.closeSteps();
    return this.reserve(bytes);
  }

  private closeSteps(): void {
    if (this.stepsAt < 0) return;
    this.length = this.stepsAt;
    this.varint(this.pendingSteps);
    this.stepsAt = -1;
  }

  private reserve(bytes: number): boolean {
    // A run of steps still open has its count written later, at most 10 bytes.
    const needed = this.length + bytes + (this.stepsAt >= 0 ? 10 : 0);
    if (needed <= this.bytes.length) return true;
    if (needed > this.maxBytes) {
      this.overflowed = true;
      return false;
    }
    const grown = new Uint8Array(Math.min(this.maxBytes, Math.max(needed, this.bytes.length * 2)));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
    return true;
  }

  /** Unsigned LEB128 of a safe integer, by arithmetic (bit operators would cut it to 32 bits). */
  private varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }

  private float(value: number): void {
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
  }
}

/** Reads a record back, event by event. Throws ReplayFormatError on a truncated or foreign record. */
export function* readReplay(bytes: Uint8Array): Generator<ReplayEvent> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (count: number) => {
    if (at + count > bytes.length) throw new ReplayFormatError(`replay record ends early at byte ${at}`);
  };
  const byte = () => {
    need(1);
    return bytes[at++]!;
  };
  const varint = () => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const next = byte();
      value += (next & 0x7f) * scale;
      if (next < 0x80) return value;
      scale *= 0x80;
    }
    throw new ReplayFormatError(`replay record has an overlong number at byte ${at}`);
  };
  const float = () => {
    need(4);
    const value = view.getFloat32(at, true);
    at += 4;
    return value;
  };
  while (at < bytes.length) {
    const op = byte();
    switch (op) {
      case Op.Steps:
        yield { type: 'steps', count: varint() };
        break;
      case Op.Join:
        yield { type: 'join', entity: varint(), team: byte() };
        break;
      case Op.Leave:
        yield { type: 'leave', entity: varint() };
        break;
      case Op.Input: {
        const entity = varint();
        const sequence = varint();
        const flags = byte();
        const moveX = float();
        const moveZ = float();
        const aim = flags & AIM ? { x: float(), y: float(), z: float() } : undefined;
        yield { type: 'input', entity, sequence, moveX, moveZ, jump: (flags & JUMP) !== 0, shoot: (flags & SHOOT) !== 0, aim };
        break;
      }
      default:
        throw new ReplayFormatError(`unknown replay op ${op} at byte ${at - 1}`);
    }
  }
}
