import { MatchPhase, type SnapshotState } from '../sim/types.js';
import type { JsonSnapshot, RoomPlayer } from './messages.js';

/** Who plays each entity, for turning entity ids into player ids and names. */
export type EntityDirectory = ReadonlyMap<number, Pick<RoomPlayer, 'id' | 'name'>>;

const metres = (mm: number) => mm / 1000;

/**
 * The seed-style JSON view of a snapshot (metres, radians, player ids), used for JSON connections and by the
 * SDK after decoding a binary delta, so both encodings surface the same shape.
 */
export function toJsonSnapshot(state: SnapshotState, players: EntityDirectory, tickRate: number): JsonSnapshot {
  return {
    tick: state.tick,
    phase: state.phase === MatchPhase.Finished ? 'finished' : 'playing',
    time_left: state.ticksLeft / tickRate,
    players: state.entities.map((entity) => {
      const player = players.get(entity.id);
      return {
        entity_id: entity.id,
        id: player?.id ?? '',
        name: player?.name ?? '',
        position: { x: metres(entity.x), y: metres(entity.y), z: metres(entity.z) },
        velocity: { x: metres(entity.vx), y: metres(entity.vy), z: metres(entity.vz) },
        yaw: entity.yaw / 1000,
        health: entity.health,
        score: entity.score,
        deaths: entity.deaths,
        alive: entity.alive === 1,
        last_input_sequence: entity.lastInput,
      };
    }),
  };
}
