import type { Player } from './player.js';
import type { ArenaRules } from './rules.js';

/** Jumps only from the ground, so holding or spamming jump in the air does nothing. */
export function tryJump(player: Player, rules: ArenaRules): void {
  if (!player.grounded) return;
  player.vy = rules.jumpVelocity;
  player.grounded = false;
}

/**
 * Advances one alive player by one tick. Horizontal velocity comes only from the (unit-capped) intent, so the
 * displacement per tick never exceeds moveSpeed * dt however many inputs the client sent.
 */
export function integrate(player: Player, rules: ArenaRules, dt: number): void {
  player.vx = player.moveX * rules.moveSpeed;
  player.vz = player.moveZ * rules.moveSpeed;
  const limit = rules.arenaHalfSize - rules.playerRadius;
  player.x = player.x + player.vx * dt;
  if (Math.abs(player.x) > limit) {
    player.x = Math.sign(player.x) * limit;
    player.vx = 0;
  }
  player.z = player.z + player.vz * dt;
  if (Math.abs(player.z) > limit) {
    player.z = Math.sign(player.z) * limit;
    player.vz = 0;
  }
  if (!player.grounded) fall(player, rules, dt);
}

/** Semi-implicit Euler under gravity, landing on the ground at y = 0. */
function fall(player: Player, rules: ArenaRules, dt: number): void {
  player.vy -= rules.gravity * dt;
  player.y += player.vy * dt;
  if (player.y <= 0) {
    player.y = 0;
    player.vy = 0;
    player.grounded = true;
  }
}
