import { Type, type Static } from 'typebox';

/** Why the autoscaler wants the replica count it names; one reason per decision. */
export const ScalingReason = Type.Union(
  [
    Type.Literal('above_threshold'),
    Type.Literal('below_threshold'),
    Type.Literal('within_band'),
    Type.Literal('cooldown'),
    Type.Literal('at_min'),
    Type.Literal('at_max'),
    Type.Literal('below_min'),
    Type.Literal('above_max'),
  ],
  {
    description:
      'above_threshold: average utilization above SCALE_UP_THRESHOLD, more replicas; below_threshold: below SCALE_DOWN_THRESHOLD ' +
      'for SCALE_DOWN_STABILIZATION seconds, fewer; within_band: between the two, no change; cooldown: below, but not for long ' +
      'enough yet; at_min / at_max: the load asks for a change MIN_SERVERS / MAX_SERVERS forbids; below_min / above_max: the ' +
      'current count is outside MIN_SERVERS..MAX_SERVERS and is brought back.',
  },
);
export type ScalingReason = Static<typeof ScalingReason>;

/** GET /autoscale/recommendation: what this deployment's load asks of the orchestrator. */
export const AutoscaleRecommendation = Type.Object({
  desired_replicas: Type.Integer({ minimum: 0 }),
  current_replicas: Type.Integer({ minimum: 0, description: 'Replicas the load source measured' }),
  utilization: Type.Number({ description: 'Average utilization of those replicas, percent of capacity' }),
  target_utilization: Type.Number({ description: 'Average utilization desired_replicas aims at: halfway between the thresholds' }),
  reason: ScalingReason,
  min: Type.Integer({ description: 'MIN_SERVERS' }),
  max: Type.Integer({ description: 'MAX_SERVERS' }),
  thresholds: Type.Object({
    scale_up: Type.Number({ description: 'SCALE_UP_THRESHOLD, percent' }),
    scale_down: Type.Number({ description: 'SCALE_DOWN_THRESHOLD, percent' }),
  }),
});
export type AutoscaleRecommendation = Static<typeof AutoscaleRecommendation>;

const Replicas = Type.Integer({ minimum: 0 });

/**
 * POST /autoscale/webhook: the FleetAutoscaleReview an Agones FleetAutoscaler (Webhook policy) sends every sync
 * period. Only the fields the decision reads are declared; anything else Agones adds (labels, counters, a null
 * `response`) is accepted and ignored.
 */
export const FleetAutoscaleReview = Type.Object({
  request: Type.Object({
    uid: Type.String({ minLength: 1, description: 'Echoed in the response' }),
    name: Type.String({ minLength: 1, description: 'The fleet' }),
    namespace: Type.String(),
    status: Type.Object({
      replicas: Replicas,
      readyReplicas: Type.Optional(Replicas),
      reservedReplicas: Type.Optional(Replicas),
      allocatedReplicas: Replicas,
    }),
  }),
});
export type FleetAutoscaleReview = Static<typeof FleetAutoscaleReview>;

/** The answer to a FleetAutoscaleReview. */
export const FleetAutoscaleResponse = Type.Object({
  response: Type.Object({
    uid: Type.String(),
    scale: Type.Boolean({ description: 'Whether the fleet should change size' }),
    replicas: Type.Integer({ minimum: 0, description: 'The fleet size to scale to' }),
  }),
});
export type FleetAutoscaleResponse = Static<typeof FleetAutoscaleResponse>;
