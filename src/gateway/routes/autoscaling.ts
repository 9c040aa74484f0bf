import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AutoscaleRecommendation, FleetAutoscaleResponse, FleetAutoscaleReview } from '../../api/index.js';
import { targetUtilization, type Autoscaler } from '../../autoscaling/index.js';
import { errorResponses } from '../schemas.js';

/**
 * The scaling decision for orchestrators: GET /autoscale/recommendation from this node's own load, and the
 * Agones FleetAutoscaler webhook from the fleet status Agones sends. Unauthenticated like /metrics: keep them on
 * the cluster network.
 */
export function autoscalingRoutes(autoscaler: Autoscaler): FastifyPluginAsyncTypebox {
  const { policy } = autoscaler;
  return async (app) => {
    app.get('/autoscale/recommendation', {
      schema: {
        tags: ['operations'],
        summary: 'How many replicas this deployment should run, from its load, and why',
        response: { 200: AutoscaleRecommendation, ...errorResponses },
      },
    }, async (): Promise<AutoscaleRecommendation> => {
      const decision = await autoscaler.recommend();
      return {
        desired_replicas: decision.desired,
        current_replicas: decision.current,
        utilization: decision.utilization,
        target_utilization: targetUtilization(policy),
        reason: decision.reason,
        min: policy.minServers,
        max: policy.maxServers,
        thresholds: { scale_up: policy.scaleUpThreshold, scale_down: policy.scaleDownThreshold },
      };
    });

    app.post('/autoscale/webhook', {
      schema: {
        tags: ['operations'],
        summary: 'Agones FleetAutoscaler webhook: answers a FleetAutoscaleReview with the fleet size to scale to',
        body: FleetAutoscaleReview,
        response: { 200: FleetAutoscaleResponse, ...errorResponses },
      },
    }, async (request): Promise<FleetAutoscaleResponse> => {
      const { uid, name, namespace, status } = request.body.request;
      // A fleet's utilization is the share of its game servers in use. Reserved ones count as in use: Agones
      // never scales them down. The denominator is every replica, starting ones included, so a scale-up still
      // booting is not asked for again.
      const decision = autoscaler.decideFleet(`${namespace}/${name}`, {
        replicas: status.replicas,
        inUse: status.allocatedReplicas + (status.reservedReplicas ?? 0),
      });
      return { response: { uid, scale: decision.desired !== status.replicas, replicas: decision.desired } };
    });
  };
}
