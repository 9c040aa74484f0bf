import type { JsonPlayerState, JsonSnapshot } from '../../src/protocol/messages.js';

export interface InterpolatorOptions {
  /** Snapshots buffered at most; the oldest go first. Default 32. */
  maxSnapshots?: number;
  /**
   * A player moving further than this (metres) between two snapshots jumped (respawn, teleport): it is shown
   * at the nearer snapshot's position instead of sliding across the map. Default 5.
   */
  teleportDistance?: number;
}

interface Buffered {
  tick: number;
  players: Map<number, JsonPlayerState>;
}

/** How fast the clock offset follows later-than-usual arrivals (per snapshot); earlier ones apply at once. */
const OFFSET_RISE = 0.05;

/**
 * Entity interpolation for rendering remote players between snapshots.
 *
 * Time mapping: snapshot `tick` was produced at server time `tick / tickRate`. Receive times are that plus a
 * clock offset plus a network delay that jitters. The interpolator keeps one offset estimate — the lowest
 * `receivedAt - tickTime` seen, rising slowly when arrivals get consistently later (clock drift, a slower
 * route) — and renders at tick time `nowMs - delayMs - offset`. Relying on the tick rather than on each
 * snapshot's own receive time keeps motion even when packets bunch up; `delayMs` must cover the jitter (and
 * at least one snapshot interval) for a later snapshot to be on hand.
 *
 * Between the two snapshots around the render tick positions, velocities and yaw (the short way round) are
 * interpolated linearly; the other fields come from the nearer snapshot. Before the first buffered snapshot
 * or after the last one, the nearest is used as is (no extrapolation). A player present in only one of the
 * two (joined or left in between) is shown while that snapshot is the nearer one.
 *
 * Pure: no timers, no I/O; `nowMs` is any monotonic clock in ms, the same one as `receivedAtMs`.
 */
export class SnapshotInterpolator {
  private readonly buffer: Buffered[] = [];
  private readonly maxSnapshots: number;
  private readonly teleportDistance: number;
  private offsetMs: number | undefined;

  constructor(
    private readonly tickRate: number,
    options: InterpolatorOptions = {},
  ) {
    if (!(tickRate > 0)) throw new RangeError(`tickRate must be positive, got ${tickRate}`);
    this.maxSnapshots = Math.max(2, options.maxSnapshots ?? 32);
    this.teleportDistance = options.teleportDistance ?? 5;
  }

  get size(): number {
    return this.buffer.length;
  }

  push(snapshot: JsonSnapshot, receivedAtMs: number): void {
    const last = this.buffer[this.buffer.length - 1];
    if (last && snapshot.tick <= last.tick) {
      if (snapshot.tick === last.tick) return;
      // Ticks went back: a new match or room. Start over rather than interpolate across it.
      this.reset();
    }
    const sample = receivedAtMs - this.tickTime(snapshot.tick);
    this.offsetMs =
      this.offsetMs === undefined || sample < this.offsetMs ? sample : this.offsetMs + (sample - this.offsetMs) * OFFSET_RISE;
    this.buffer.push({ tick: snapshot.tick, players: new Map(snapshot.players.map((player) => [player.entity_id, player])) });
    if (this.buffer.length > this.maxSnapshots) this.buffer.shift();
  }

  /** The (fractional) tick shown at `nowMs`; undefined before the first snapshot. */
  renderTick(nowMs: number, delayMs = 100): number | undefined {
    if (this.offsetMs === undefined) return undefined;
    return ((nowMs - delayMs - this.offsetMs) * this.tickRate) / 1000;
  }

  /**
   * Players as they were at render time `nowMs - delayMs`. Drops snapshots the render time has passed for
   * good, so call it with a non-decreasing `nowMs`.
   */
  sample(nowMs: number, delayMs = 100): JsonPlayerState[] {
    const renderTick = this.renderTick(nowMs, delayMs);
    if (renderTick === undefined) return [];
    // Keep the newest snapshot at or before the render tick as the lower bound; older ones are done.
    while (this.buffer.length >= 2 && this.buffer[1]!.tick <= renderTick) this.buffer.shift();
    const from = this.buffer[0]!;
    const to = this.buffer[1];
    if (!to || renderTick <= from.tick) return [...from.players.values()].map(copyPlayer);
    return interpolatePlayers(from, to, (renderTick - from.tick) / (to.tick - from.tick), this.teleportDistance);
  }

  reset(): void {
    this.buffer.length = 0;
    this.offsetMs = undefined;
  }

  private tickTime(tick: number): number {
    return (tick * 1000) / this.tickRate;
  }
}

function interpolatePlayers(from: Buffered, to: Buffered, alpha: number, teleportDistance: number): JsonPlayerState[] {
  const nearer = alpha < 0.5 ? from : to;
  const players: JsonPlayerState[] = [];
  for (const [entityId, b] of to.players) {
    const a = from.players.get(entityId);
    if (!a) {
      if (nearer === to) players.push(copyPlayer(b));
      continue;
    }
    if (a.alive !== b.alive || distance(a.position, b.position) > teleportDistance) {
      players.push(copyPlayer(nearer === to ? b : a));
      continue;
    }
    const base = nearer === to ? b : a;
    players.push({
      ...base,
      position: lerpVector(a.position, b.position, alpha),
      velocity: lerpVector(a.velocity, b.velocity, alpha),
      yaw: lerpAngle(a.yaw, b.yaw, alpha),
    });
  }
  if (nearer === from) {
    for (const [entityId, a] of from.players) if (!to.players.has(entityId)) players.push(copyPlayer(a));
  }
  return players.sort((a, b) => a.entity_id - b.entity_id);
}

type Vector = JsonPlayerState['position'];

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

function lerpVector(a: Vector, b: Vector, t: number): Vector {
  return { x: lerp(a.x, b.x, t), y: lerp(a.y, b.y, t), z: lerp(a.z, b.z, t) };
}

/** Interpolates along the shorter arc, so 3.1 → -3.1 turns through π rather than all the way round. */
export function lerpAngle(a: number, b: number, t: number): number {
  const turn = 2 * Math.PI;
  let delta = (b - a) % turn;
  if (delta > Math.PI) delta -= turn;
  else if (delta < -Math.PI) delta += turn;
  return a + delta * t;
}

function distance(a: Vector, b: Vector): number {
  return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

/** Copies the nested vectors so callers may mutate results without touching the buffer. */
function copyPlayer(player: JsonPlayerState): JsonPlayerState {
  return { ...player, position: { ...player.position }, velocity: { ...player.velocity } };
}
