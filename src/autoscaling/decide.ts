/**
 * The scaling decision, pure: from a load measurement, the policy and what earlier measurements left behind, how
 * many replicas the deployment should run and why. Hysteresis keeps it from flapping: it adds replicas as soon as
 * the average utilization passes the scale-up threshold, and removes them only after the utilization has stayed
 * below the scale-down threshold for the stabilization time. Either way it aims at the target utilization halfway
 * between the two, so the count it picks lands inside the band and does not trigger the opposite move.
 */
import type { ScalingReason } from '../api/index.js';
import { AutoscalingError } from './errors.js';

export type { ScalingReason };

/** The autoscaling settings (config section `[autoscaling]`). */
export interface AutoscalingPolicy {
  minServers: number;
  maxServers: number;
  /** Percent of capacity. */
  scaleUpThreshold: number;
  /** Percent of capacity; below scaleUpThreshold. */
  scaleDownThreshold: number;
  /** Seconds utilization must stay below scaleDownThreshold, at one replica count, before replicas are removed. */
  scaleDownStabilization: number;
}

/** One measurement of the deployment. */
export interface Load {
  /** When it was taken, in milliseconds on a clock that does not go back. */
  at: number;
  /** Replicas running. */
  replicas: number;
  /**
   * The replicas' utilization summed, in percent of one replica's capacity: three replicas at 50 % are 150. A
   * replica's utilization may pass 100 when it is overloaded.
   */
  demand: number;
}

/** A stretch of low utilization at one replica count: since when, and the most demand seen during it. */
export interface LowStretch {
  readonly replicas: number;
  readonly since: number;
  readonly peakDemand: number;
}

/** What one decision leaves for the next; start from INITIAL_STATE. */
export interface ScalingState {
  readonly low?: LowStretch;
}

export const INITIAL_STATE: ScalingState = {};

export interface Decision {
  desired: number;
  current: number;
  /** Average utilization of the current replicas, percent; 0 without replicas. */
  utilization: number;
  reason: ScalingReason;
  /** Pass to the next decide() for the same deployment. */
  state: ScalingState;
}

/** The average utilization a new replica count aims at: halfway between the thresholds. */
export function targetUtilization(policy: AutoscalingPolicy): number {
  return (policy.scaleUpThreshold + policy.scaleDownThreshold) / 2;
}

/** A measurement from each replica's utilization (percent). */
export function loadOf(at: number, utilizations: readonly number[]): Load {
  const bad = utilizations.find((utilization) => !(utilization >= 0 && Number.isFinite(utilization)));
  if (bad !== undefined) throw new AutoscalingError('invalid_load', `a replica's utilization must be a finite percentage of at least 0, got ${bad}`);
  return { at, replicas: utilizations.length, demand: utilizations.reduce((sum, utilization) => sum + utilization, 0) };
}

function checkPolicy(policy: AutoscalingPolicy): void {
  const { minServers, maxServers, scaleUpThreshold, scaleDownThreshold, scaleDownStabilization } = policy;
  const problems = [
    !(Number.isInteger(minServers) && minServers >= 1) && `minServers must be an integer of at least 1, got ${minServers}`,
    !(Number.isInteger(maxServers) && maxServers >= minServers) && `maxServers must be an integer of at least minServers (${minServers}), got ${maxServers}`,
    !(scaleDownThreshold >= 0 && scaleDownThreshold < scaleUpThreshold && scaleUpThreshold <= 100) &&
      `thresholds must satisfy 0 <= scaleDownThreshold < scaleUpThreshold <= 100, got ${scaleDownThreshold} and ${scaleUpThreshold}`,
    !(scaleDownStabilization >= 0 && Number.isFinite(scaleDownStabilization)) && `scaleDownStabilization must be at least 0 seconds, got ${scaleDownStabilization}`,
  ].filter((problem) => problem !== false);
  if (problems.length > 0) throw new AutoscalingError('invalid_policy', problems.join('; '));
}

function checkLoad(load: Load, state: ScalingState): void {
  const { at, replicas, demand } = load;
  const problems = [
    !Number.isFinite(at) && `at must be a finite time in milliseconds, got ${at}`,
    !(Number.isInteger(replicas) && replicas >= 0) && `replicas must be an integer of at least 0, got ${replicas}`,
    !(demand >= 0 && Number.isFinite(demand)) && `demand must be a finite percentage of at least 0, got ${demand}`,
    replicas === 0 && demand > 0 && `demand (${demand}) without replicas cannot be measured`,
    state.low !== undefined && at < state.low.since && `the measurement (at ${at}) is older than the state it follows (since ${state.low.since})`,
  ].filter((problem) => problem !== false);
  if (problems.length > 0) throw new AutoscalingError('invalid_load', problems.join('; '));
}

/** The low stretch this measurement continues or starts; a changed replica count starts a new one. */
function lowStretch(previous: LowStretch | undefined, load: Load): LowStretch {
  if (previous?.replicas !== load.replicas) return { replicas: load.replicas, since: load.at, peakDemand: load.demand };
  return { ...previous, peakDemand: Math.max(previous.peakDemand, load.demand) };
}

/** The replicas needed to carry `demand` at the target utilization. */
const replicasFor = (demand: number, policy: AutoscalingPolicy) => Math.ceil(demand / targetUtilization(policy));

export function decide(load: Load, policy: AutoscalingPolicy, state: ScalingState): Decision {
  checkPolicy(policy);
  checkLoad(load, state);
  const { replicas, demand } = load;
  const { minServers: min, maxServers: max } = policy;
  const utilization = replicas === 0 ? 0 : demand / replicas;
  const low = replicas > 0 && utilization < policy.scaleDownThreshold ? lowStretch(state.low, load) : undefined;
  const next: ScalingState = low ? { low } : INITIAL_STATE;
  const verdict = (desired: number, reason: ScalingReason): Decision => ({ desired, current: replicas, utilization, reason, state: next });

  // Outside the bounds (none at all, or bounds changed under a running fleet): back inside, whatever the load.
  if (replicas < min) return verdict(Math.min(Math.max(replicasFor(demand, policy), min), max), 'below_min');
  if (replicas > max) return verdict(max, 'above_max');
  if (utilization > policy.scaleUpThreshold) {
    return replicas === max ? verdict(max, 'at_max') : verdict(Math.min(replicasFor(demand, policy), max), 'above_threshold');
  }
  if (low) {
    if (replicas === min) return verdict(min, 'at_min');
    if (load.at - low.since < policy.scaleDownStabilization * 1000) return verdict(replicas, 'cooldown');
    // Sized for the busiest moment of the stretch, not the last one. With a narrow band this can be the current
    // count: one replica fewer would already pass the target.
    return verdict(Math.max(replicasFor(low.peakDemand, policy), min), 'below_threshold');
  }
  return verdict(replicas, 'within_band');
}
