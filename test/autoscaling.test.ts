/** The scaling decision (pure), the local load source and the autoscaler that carries state between polls. */
import { describe, expect, it } from 'vitest';
import {
  Autoscaler,
  AutoscalingError,
  INITIAL_STATE,
  LocalLoad,
  decide,
  loadOf,
  processUtilization,
  targetUtilization,
  type AutoscalingPolicy,
  type Decision,
  type Load,
  type ScalingState,
} from '../src/autoscaling/index.js';

/** The brief's defaults. */
const policy: AutoscalingPolicy = { minServers: 2, maxServers: 20, scaleUpThreshold: 75, scaleDownThreshold: 25, scaleDownStabilization: 300 };
const SAMPLE_MS = 30_000; // an Agones FleetAutoscaler polls every 30 s
const STABILIZATION_SAMPLES = (policy.scaleDownStabilization * 1000) / SAMPLE_MS;

const once = (load: Partial<Load>, state: ScalingState = INITIAL_STATE, rules = policy) => decide({ at: 0, replicas: 4, demand: 200, ...load }, rules, state);

/** Feeds samples at one replica count, SAMPLE_MS apart from `from`, and returns the last decision. */
function hold(replicas: number, demands: number[], from = 0): Decision {
  let state = INITIAL_STATE;
  let last: Decision | undefined;
  demands.forEach((demand, i) => {
    last = decide({ at: from + i * SAMPLE_MS, replicas, demand }, policy, state);
    state = last.state;
  });
  return last!;
}

describe('decide', () => {
  it('aims at the target halfway between the thresholds', () => {
    expect(targetUtilization(policy)).toBe(50);
  });

  it('holds still inside the band, thresholds included', () => {
    expect(once({ demand: 200 })).toMatchObject({ desired: 4, current: 4, utilization: 50, reason: 'within_band' });
    expect(once({ demand: 300 })).toMatchObject({ desired: 4, reason: 'within_band' }); // exactly 75 %
    expect(once({ demand: 100 })).toMatchObject({ desired: 4, reason: 'within_band' }); // exactly 25 %
  });

  it('scales up at once to the replicas that carry the demand at the target', () => {
    // 4 replicas at 80 %: 320 % of a replica's work, 50 % each on ceil(320 / 50) = 7.
    expect(once({ demand: 320 })).toMatchObject({ desired: 7, utilization: 80, reason: 'above_threshold' });
  });

  it('scales a saturated fleet to twice its size, and an overloaded one beyond', () => {
    expect(once({ demand: 400 })).toMatchObject({ desired: 8, utilization: 100, reason: 'above_threshold' });
    expect(once({ demand: 600 })).toMatchObject({ desired: 12, utilization: 150, reason: 'above_threshold' });
  });

  it('never asks for more than MAX_SERVERS', () => {
    expect(once({ replicas: 15, demand: 1500 })).toMatchObject({ desired: 20, reason: 'above_threshold' });
    expect(once({ replicas: 20, demand: 2000 })).toMatchObject({ desired: 20, reason: 'at_max' });
    expect(once({ replicas: 25, demand: 500 })).toMatchObject({ desired: 20, reason: 'above_max' });
  });

  it('never asks for fewer than MIN_SERVERS', () => {
    expect(once({ replicas: 0, demand: 0 })).toMatchObject({ desired: 2, utilization: 0, reason: 'below_min' });
    expect(once({ replicas: 1, demand: 30 })).toMatchObject({ desired: 2, reason: 'below_min' });
    expect(once({ replicas: 1, demand: 190 })).toMatchObject({ desired: 4, reason: 'below_min' }); // and enough for the demand
    expect(hold(2, Array(20).fill(0))).toMatchObject({ desired: 2, reason: 'at_min' });
  });

  it('scales down only after the utilization stayed low for the stabilization time', () => {
    const idle = Array(STABILIZATION_SAMPLES).fill(0);
    expect(hold(10, idle)).toMatchObject({ desired: 10, utilization: 0, reason: 'cooldown' });
    // One more sample: 300 s since the first low one.
    expect(hold(10, [...idle, 0])).toMatchObject({ desired: 2, reason: 'below_threshold' });
  });

  it('sizes a scale-down for the busiest moment of the low stretch', () => {
    // 10 replicas at 10 %, one sample at 24 %: ceil(240 / 50) = 5, not ceil(100 / 50) = 2.
    const demands = [100, 100, 240, ...Array(STABILIZATION_SAMPLES - 2).fill(100)];
    expect(hold(10, demands)).toMatchObject({ desired: 5, reason: 'below_threshold' });
  });

  it('starts the stabilization over after a sample inside the band or a changed replica count', () => {
    const low = Array(STABILIZATION_SAMPLES).fill(100);
    expect(hold(10, [...low.slice(0, 5), 300, ...low.slice(0, 6)])).toMatchObject({ reason: 'cooldown' });
    const before = hold(10, low);
    expect(before.state.low).toMatchObject({ replicas: 10, since: 0 });
    const after = decide({ at: low.length * SAMPLE_MS, replicas: 9, demand: 100 }, policy, before.state);
    expect(after).toMatchObject({ desired: 9, reason: 'cooldown', state: { low: { replicas: 9, since: low.length * SAMPLE_MS } } });
  });

  it('keeps a narrow band from removing a replica the fleet would need again', () => {
    // 4 replicas at 38 % under a 40..60 band: 3 would run at 51 %, past the 50 % target.
    const narrow = { ...policy, scaleUpThreshold: 60, scaleDownThreshold: 40, scaleDownStabilization: 0 };
    expect(decide({ at: 0, replicas: 4, demand: 152 }, narrow, INITIAL_STATE)).toMatchObject({ desired: 4, reason: 'below_threshold' });
  });

  it('refuses impossible measurements with a clear error', () => {
    const cases: [Partial<Load>, RegExp][] = [
      [{ replicas: -1 }, /replicas must be an integer of at least 0, got -1/],
      [{ replicas: 2.5 }, /replicas must be an integer of at least 0, got 2.5/],
      [{ demand: Number.NaN }, /demand must be a finite percentage of at least 0, got NaN/],
      [{ demand: -5 }, /demand must be a finite percentage/],
      [{ replicas: 0, demand: 50 }, /demand \(50\) without replicas cannot be measured/],
      [{ at: Number.POSITIVE_INFINITY }, /at must be a finite time/],
    ];
    for (const [load, message] of cases) {
      expect(() => once(load)).toThrow(AutoscalingError);
      expect(() => once(load)).toThrow(message);
    }
    const later = hold(10, [100], 60_000).state;
    expect(() => once({ at: 0, replicas: 10, demand: 100 }, later)).toThrow(/older than the state it follows/);
    expect(() => loadOf(0, [20, -1])).toThrow(/utilization must be a finite percentage of at least 0, got -1/);
  });

  it('refuses a contradictory policy', () => {
    expect(() => once({}, INITIAL_STATE, { ...policy, minServers: 5, maxServers: 3 })).toThrow(/maxServers must be an integer of at least minServers \(5\), got 3/);
    expect(() => once({}, INITIAL_STATE, { ...policy, scaleDownThreshold: 80 })).toThrow(/0 <= scaleDownThreshold < scaleUpThreshold <= 100/);
    expect(() => once({}, INITIAL_STATE, { ...policy, minServers: 0 })).toThrow(/minServers must be an integer of at least 1/);
  });

  it('follows a recorded load curve without flapping and within its bounds', () => {
    // Total demand every 30 s (100 = one replica's capacity): a morning ramp, a noisy plateau with a one-minute
    // dip, an evening spike past MAX_SERVERS, then a long decline. The fleet takes each decision at once.
    const curve = [
      60, 60, 120, 200, 260, 300, 320, 290, 310, 330, 150, 140, 320, 310, 900, 1200, 1500, 1800, 1700, 600,
      400, 380, 420, 390, 400, 410, 380, 400, 390, 400, 390, 380, 100, 90, 80, 70, 60, 60, 60, 60, 60, 60, 60, 60, 60,
    ];
    let replicas = policy.minServers;
    let state = INITIAL_STATE;
    const decisions = curve.map((demand, i) => {
      const decision = decide({ at: i * SAMPLE_MS, replicas, demand }, policy, state);
      state = decision.state;
      replicas = decision.desired;
      return decision;
    });
    const desired = decisions.map((decision) => decision.desired);
    expect(desired).toEqual([
      2, 2, 2, 4, 4, 4, 7, 7, 7, 7, 7, 7, 7, 7, 18, 18, 20, 20, 20, 20,
      20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 2, 2, 2,
    ]);
    for (const value of desired) expect(value).toBeGreaterThanOrEqual(policy.minServers);
    for (const value of desired) expect(value).toBeLessThanOrEqual(policy.maxServers);

    // Reacts within one sample: whenever the average passes SCALE_UP_THRESHOLD below MAX_SERVERS, that very
    // decision adds replicas.
    for (const decision of decisions) {
      if (decision.utilization > policy.scaleUpThreshold && decision.current < policy.maxServers) expect(decision.desired).toBeGreaterThan(decision.current);
    }
    // No flapping: every scale-down comes after a full stabilization of low samples at that count (so the dip at
    // samples 10-11 removed nothing), hence never sooner than the stabilization time after the previous change.
    const changes = decisions.flatMap((decision, i) => (decision.desired === decision.current ? [] : [{ i, up: decision.desired > decision.current }]));
    expect(changes.map(({ i, up }) => `${i}${up ? '+' : '-'}`)).toEqual(['3+', '6+', '14+', '16+', '30-', '42-']);
    for (const { i } of changes.filter((change) => !change.up)) {
      const stretch = decisions.slice(i - STABILIZATION_SAMPLES, i + 1);
      expect(stretch.every((decision) => decision.utilization < policy.scaleDownThreshold && decision.current === decisions[i]!.current)).toBe(true);
    }
    // After each move the fleet lands inside the band.
    for (const { i } of changes) expect(decisions[i + 1]!.reason).toMatch(/within_band|at_max/);
  });
});

describe('local load', () => {
  const capacity = { maxConnections: 1000, tickRate: 60 };

  it('is the scarcer of connections against MAX_CONNECTIONS and tick time against the tick budget', () => {
    expect(processUtilization(capacity, 0, 0)).toBe(0);
    expect(processUtilization(capacity, 500, 0.002)).toBe(50); // 500 of 1000 connections; 2 of 16.7 ms
    expect(processUtilization(capacity, 100, 1 / 120)).toBeCloseTo(50); // half the tick budget
    expect(processUtilization(capacity, 1500, 0)).toBe(150); // overloaded: more than 100
  });

  it('averages tick times, so a single long tick does not count as load', async () => {
    const load = new LocalLoad(capacity, () => 0);
    expect(await load.utilization()).toEqual([0]);
    load.observeTick(0.1); // one 100 ms pause
    expect((await load.utilization())[0]).toBeLessThan(2);
    for (let i = 0; i < 60 * 60; i++) load.observeTick(1 / 120); // a minute at half the budget
    expect((await load.utilization())[0]).toBeCloseTo(50, 0);
  });
});

describe('Autoscaler', () => {
  function clock() {
    let now = 0;
    return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
  }

  it('carries the stabilization from one recommendation to the next', async () => {
    const time = clock();
    const utilization = [10, 10, 10];
    const autoscaler = new Autoscaler(policy, { utilization: async () => utilization }, time.now);
    expect(await autoscaler.recommend()).toMatchObject({ desired: 3, current: 3, reason: 'cooldown' });
    time.advance(299);
    expect(await autoscaler.recommend()).toMatchObject({ desired: 3, reason: 'cooldown' });
    time.advance(1);
    expect(await autoscaler.recommend()).toMatchObject({ desired: 2, reason: 'below_threshold' });
  });

  it('keeps each fleet apart from the others and from its own deployment', async () => {
    const time = clock();
    const autoscaler = new Autoscaler(policy, { utilization: async () => [10, 10, 10] }, time.now);
    await autoscaler.recommend();
    expect(autoscaler.decideFleet('games/arena', { replicas: 10, inUse: 1 })).toMatchObject({ desired: 10, utilization: 10, reason: 'cooldown' });
    time.advance(300);
    expect(autoscaler.decideFleet('games/lobby', { replicas: 10, inUse: 1 })).toMatchObject({ reason: 'cooldown' });
    expect(autoscaler.decideFleet('games/arena', { replicas: 10, inUse: 1 })).toMatchObject({ desired: 2, reason: 'below_threshold' });
    expect(await autoscaler.recommend()).toMatchObject({ desired: 2, reason: 'below_threshold' });
  });

  it('remembers a bounded number of fleets', async () => {
    const time = clock();
    const autoscaler = new Autoscaler(policy, { utilization: async () => [50] }, time.now);
    autoscaler.decideFleet('games/first', { replicas: 10, inUse: 1 });
    for (let i = 0; i < 64; i++) autoscaler.decideFleet(`spam/${i}`, { replicas: 10, inUse: 1 });
    time.advance(300);
    // Forgotten: its stabilization starts over.
    expect(autoscaler.decideFleet('games/first', { replicas: 10, inUse: 1 })).toMatchObject({ reason: 'cooldown' });
  });
});
