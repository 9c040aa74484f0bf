import type { Player } from './player.js';
import type { EntityState } from './types.js';

const MILLI = 1000;

/** Rounds to an integer, folding -0 into 0 so equal states compare and encode identically. */
function quantise(value: number, scale: number): number {
  const rounded = Math.round(value * scale);
  return rounded === 0 ? 0 : rounded;
}

/** The wire view of a player: millimetres, mm/s and milliradians, all integers. */
export function toEntityState(player: Player): EntityState {
  return {
    id: player.id,
    x: quantise(player.x, MILLI),
    y: quantise(player.y, MILLI),
    z: quantise(player.z, MILLI),
    vx: quantise(player.vx, MILLI),
    vy: quantise(player.vy, MILLI),
    vz: quantise(player.vz, MILLI),
    yaw: quantise(player.yaw, MILLI),
    health: quantise(player.health, 1),
    score: player.score,
    deaths: player.deaths,
    alive: player.alive ? 1 : 0,
    lastInput: player.lastSequence,
  };
}
