import type { GameV1Client } from '../../client/src/index.js';
import type { JsonPlayerState } from '../../src/protocol/index.js';
import { waitFor } from './sdk.js';

export const playerIn = (players: JsonPlayerState[], id: string) => players.find((p) => p.id === id);
export const distance = (a: { x: number; z: number }, b: { x: number; z: number }) => Math.hypot(a.x - b.x, a.z - b.z);

/** The shooter's latest view of both players. */
async function both(shooter: GameV1Client, shooterId: string, targetId: string) {
  const { snapshot } = await waitFor(shooter, 'snapshot', (e) => !!playerIn(e.snapshot.players, shooterId) && !!playerIn(e.snapshot.players, targetId));
  return { me: playerIn(snapshot.players, shooterId)!, them: playerIn(snapshot.players, targetId)! };
}

/** Walks the shooter to within `range` metres of the target (spawns may be out of weapon range) and stops. */
export async function approach(shooter: GameV1Client, shooterId: string, targetId: string, range = 8): Promise<void> {
  for (let view = await both(shooter, shooterId, targetId); distance(view.me.position, view.them.position) > range; view = await both(shooter, shooterId, targetId)) {
    shooter.sendInput({ movement: { x: view.them.position.x - view.me.position.x, y: 0, z: view.them.position.z - view.me.position.z } });
  }
  shooter.sendInput({ movement: { x: 0, y: 0, z: 0 } });
}

/** One aimed shot (from the eye at 1.6 m to the target's chest at 1.0 m); resolves with the sequence sent. */
export async function shootAt(shooter: GameV1Client, shooterId: string, targetId: string): Promise<number> {
  const { me, them } = await both(shooter, shooterId, targetId);
  const aim = { x: them.position.x - me.position.x, y: them.position.y + 1.0 - (me.position.y + 1.6), z: them.position.z - me.position.z };
  return shooter.sendInput({ movement: { x: 0, y: 0, z: 0 }, actions: ['shoot'], aim });
}

/** The shooter walks up to the target and fires until the match ends (SCORE_LIMIT=1: the first kill); resolves with match_ended as `watcher` saw it. */
export async function shootUntilMatchEnds(shooter: GameV1Client, shooterId: string, targetId: string, watcher: GameV1Client) {
  const ended = waitFor(watcher, 'match_ended', () => true, 30_000);
  await approach(shooter, shooterId, targetId);
  const firing = setInterval(() => void shootAt(shooter, shooterId, targetId), 100);
  return ended.finally(() => clearInterval(firing));
}
