import type { PlayerInput } from './types.js';

/**
 * One input as the simulation uses it: copied and sanitised on arrival, so callers may reuse their objects.
 * Lengths use Math.sqrt of the squares rather than Math.hypot, which allocates on every call; vectors so huge
 * that the squared length overflows therefore count as no movement and no aim, which no honest client sends.
 */
export class QueuedInput {
  sequence = 0;
  /** Horizontal movement intent, at most 1 long. */
  moveX = 0;
  moveZ = 0;
  jump = false;
  shoot = false;
  /** True when the input carried a usable aim; then aimX/Y/Z is a unit vector. */
  hasAim = false;
  aimX = 0;
  aimY = 0;
  aimZ = 0;

  assign(input: PlayerInput): void {
    this.sequence = input.sequence;
    this.assignMovement(finiteOrZero(input.movement.x), finiteOrZero(input.movement.z));
    this.jump = input.actions.includes('jump');
    this.shoot = input.actions.includes('shoot');
    this.assignAim(input.aim);
  }

  private assignMovement(x: number, z: number): void {
    const length = Math.sqrt(x * x + z * z);
    // Longer vectors are cut to 1 so no input moves faster than moveSpeed.
    const scale = length > 1 ? 1 / length : 1;
    this.moveX = x * scale;
    this.moveZ = z * scale;
  }

  private assignAim(aim: PlayerInput['aim']): void {
    this.hasAim = false;
    if (aim === undefined) return;
    const length = Math.sqrt(aim.x * aim.x + aim.y * aim.y + aim.z * aim.z);
    if (!(length > 0) || !Number.isFinite(length)) return;
    this.hasAim = true;
    this.aimX = aim.x / length;
    this.aimY = aim.y / length;
    this.aimZ = aim.z / length;
  }
}

function finiteOrZero(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/**
 * A player's pending inputs, kept sorted by ascending sequence and bounded. Slots are created on first use
 * and then recycled, so queueing and draining allocate nothing in the steady state.
 */
export class InputQueue {
  private readonly slots: QueuedInput[] = [];
  private count = 0;

  constructor(private readonly capacity: number) {}

  get length(): number {
    return this.count;
  }

  /** Inserts the input in sequence order; false when the queue is full or already holds this sequence. */
  push(input: PlayerInput): boolean {
    if (this.count === this.capacity) return false;
    let position = this.count;
    while (position > 0 && this.slot(position - 1).sequence > input.sequence) position--;
    if (position > 0 && this.slot(position - 1).sequence === input.sequence) return false;

    const free = this.slots[this.count] ?? new QueuedInput();
    for (let i = this.count; i > position; i--) this.slots[i] = this.slot(i - 1);
    this.slots[position] = free;
    free.assign(input);
    this.count++;
    return true;
  }

  /** The pending input at `index` (0 = lowest sequence). */
  at(index: number): Readonly<QueuedInput> {
    if (index >= this.count) throw new RangeError(`No queued input at ${index}`);
    return this.slot(index);
  }

  clear(): void {
    this.count = 0;
  }

  private slot(index: number): QueuedInput {
    const slot = this.slots[index];
    if (slot === undefined) throw new RangeError(`No input slot at ${index}`);
    return slot;
  }
}
