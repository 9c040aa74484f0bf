import { QueuedInput } from '../../../../src/sim/input-queue.js';
import { integrate } from '../../../../src/sim/physics.js';
import { Player } from '../../../../src/sim/player.js';
import type { ArenaRules } from '../../../../src/sim/rules.js';

interface PendingInput {
  sequence: number;
  moveX: number;
  moveZ: number;
}

/** Inputs kept for replay at most: a server that stops acknowledging must not grow this without bound. */
const MAX_PENDING = 240;
/** A correction further than this (metres) is a teleport (respawn, a long stall): snap instead of smoothing. */
const SNAP_DISTANCE = 2;
/** How fast a small correction fades out of the drawn position (per second, exponential). */
const SMOOTHING_RATE = 12;

/**
 * Client-side prediction of the own player with server reconciliation. Each input moves the local copy at once
 * with the server's own rule (src/sim: the input's clamp, then `integrate` for each tick it covers); the input is
 * kept until a snapshot acknowledges it. On every authoritative snapshot the position is reset to the server's and
 * the unacknowledged inputs are applied again, so the prediction converges on the server without waiting for it.
 */
export class Predictor {
  private readonly body: Player;
  private readonly parser = new QueuedInput();
  private readonly pending: PendingInput[] = [];
  /** Drawn position minus predicted position: a correction being smoothed away. */
  private offsetX = 0;
  private offsetZ = 0;

  constructor(
    private readonly rules: Readonly<ArenaRules>,
    private readonly dt: number,
    /** Server ticks one input stands for (inputs are sent once every this many ticks). */
    private readonly ticksPerInput: number,
  ) {
    this.body = new Player(0, 0, 1);
  }

  get x(): number {
    return this.body.x;
  }

  get z(): number {
    return this.body.z;
  }

  /** Where to draw the player: the prediction plus what is left of the last correction. */
  drawn(elapsedSeconds: number): { x: number; z: number } {
    const fade = Math.exp(-SMOOTHING_RATE * elapsedSeconds);
    this.offsetX *= fade;
    this.offsetZ *= fade;
    return { x: this.body.x + this.offsetX, z: this.body.z + this.offsetZ };
  }

  /** Applies a just-sent input locally (movement as sent: the server clamps it the same way). */
  apply(sequence: number, movement: { x: number; z: number }): void {
    this.parser.assign({ sequence, movement: { x: Math.fround(movement.x), y: 0, z: Math.fround(movement.z) }, actions: [] });
    const input = { sequence, moveX: this.parser.moveX, moveZ: this.parser.moveZ };
    this.pending.push(input);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
    this.advance(input);
  }

  /** An authoritative position with the last input sequence the server applied: rewind, replay the rest. */
  reconcile(serverX: number, serverZ: number, ackedSequence: number): void {
    while (this.pending.length > 0 && this.pending[0]!.sequence <= ackedSequence) this.pending.shift();
    const beforeX = this.body.x + this.offsetX;
    const beforeZ = this.body.z + this.offsetZ;
    this.body.x = serverX;
    this.body.z = serverZ;
    for (const input of this.pending) this.advance(input);
    this.offsetX = beforeX - this.body.x;
    this.offsetZ = beforeZ - this.body.z;
    if (Math.hypot(this.offsetX, this.offsetZ) > SNAP_DISTANCE) this.offsetX = this.offsetZ = 0;
  }

  /** Dead, between matches or just joined: take the server's position and forget pending movement. */
  reset(serverX: number, serverZ: number): void {
    this.pending.length = 0;
    this.body.x = serverX;
    this.body.z = serverZ;
    this.offsetX = this.offsetZ = 0;
  }

  private advance(input: PendingInput): void {
    this.body.moveX = input.moveX;
    this.body.moveZ = input.moveZ;
    for (let tick = 0; tick < this.ticksPerInput; tick++) integrate(this.body, this.rules, this.dt);
  }
}
