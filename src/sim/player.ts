import { InputQueue } from './input-queue.js';

/** Everything the simulation keeps about one player: plain numeric fields, mutated in place every tick. */
export class Player {
  readonly inputs: InputQueue;

  /** Feet position and velocity, metres and metres per second. */
  x = 0;
  y = 0;
  z = 0;
  vx = 0;
  vy = 0;
  vz = 0;
  grounded = true;

  /** Sticky horizontal movement intent from the latest consumed input, at most 1 long. */
  moveX = 0;
  moveZ = 0;

  /** Facing around the y axis (0 = +z) and the unit shooting direction it goes with. */
  yaw = 0;
  aimX = 0;
  aimY = 0;
  aimZ = 1;

  health = 0;
  alive = true;
  /** Tick at which a dead player comes back. */
  respawnTick = 0;
  /** First tick at which the weapon may fire again. */
  nextShotTick = 0;
  /** Set while consuming this tick's inputs, cleared once the shot is resolved. */
  wantsToShoot = false;

  score = 0;
  deaths = 0;
  lastSequence = 0;

  constructor(
    readonly id: number,
    /** 1..teamCount in team mode, 0 in free-for-all; fixed for the player's whole stay, restarts included. */
    readonly team: number,
    maxQueuedInputs: number,
  ) {
    this.inputs = new InputQueue(maxQueuedInputs);
  }

  /** Faces horizontally; the shooting direction follows. */
  faceYaw(yaw: number): void {
    this.yaw = yaw;
    this.aimX = Math.sin(yaw);
    this.aimY = 0;
    this.aimZ = Math.cos(yaw);
  }

  /** Faces along a unit vector, which is also where shots go. */
  faceDirection(x: number, y: number, z: number): void {
    this.yaw = Math.atan2(x, z);
    this.aimX = x;
    this.aimY = y;
    this.aimZ = z;
  }

  /** Puts the player at (x, z) on the ground, alive, at full health, standing still and facing `yaw`. */
  spawn(x: number, z: number, yaw: number, maxHealth: number): void {
    this.x = x;
    this.y = 0;
    this.z = z;
    this.halt();
    this.grounded = true;
    this.faceYaw(yaw);
    this.health = maxHealth;
    this.alive = true;
    this.nextShotTick = 0;
  }

  /** Stops all motion and forgets the movement intent. */
  halt(): void {
    this.vx = 0;
    this.vy = 0;
    this.vz = 0;
    this.moveX = 0;
    this.moveZ = 0;
    this.wantsToShoot = false;
  }

  die(respawnTick: number): void {
    this.health = 0;
    this.alive = false;
    this.respawnTick = respawnTick;
    this.halt();
  }
}
