import { INITIAL_STATE, decide, loadOf, type AutoscalingPolicy, type Decision, type ScalingState } from './decide.js';
import type { LoadSource } from './load-source.js';

/** Fleets remembered at most; past it the one first seen is forgotten (and its stabilization starts over). */
const MAX_FLEETS = 64;

/** A fleet as its orchestrator counts it, e.g. an Agones Fleet's status. */
export interface FleetCount {
  replicas: number;
  /** Replicas in use: each counts as fully utilized, the others as idle. */
  inUse: number;
}

/**
 * Decides with decide() and keeps each deployment's state between calls, so the scale-down stabilization spans
 * the orchestrator's polls. Time is a monotonic clock: the state lives only as long as the process.
 */
export class Autoscaler {
  private own = INITIAL_STATE;
  private readonly fleets = new Map<string, ScalingState>();

  constructor(
    readonly policy: AutoscalingPolicy,
    private readonly source: LoadSource,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The decision for this deployment, from its load source. */
  async recommend(): Promise<Decision> {
    const utilization = await this.source.utilization();
    const decision = decide(loadOf(this.now(), utilization), this.policy, this.own);
    this.own = decision.state;
    return decision;
  }

  /** The decision for a fleet its orchestrator measured, named e.g. `namespace/name`. */
  decideFleet(fleet: string, count: FleetCount): Decision {
    const load = { at: this.now(), replicas: count.replicas, demand: 100 * count.inUse };
    const decision = decide(load, this.policy, this.fleets.get(fleet) ?? INITIAL_STATE);
    if (!this.fleets.has(fleet) && this.fleets.size >= MAX_FLEETS) this.fleets.delete(this.fleets.keys().next().value!);
    this.fleets.set(fleet, decision.state);
    return decision;
  }
}
