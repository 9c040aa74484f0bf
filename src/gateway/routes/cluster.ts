import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ClusterNodes, type ClusterNode } from '../../api/index.js';
import type { AuthService, Roles } from '../../auth/index.js';
import type { Directory, LiveNode } from '../../directory/index.js';
import { bearerSecurity, requireAccessToken, requireAdmin } from '../bearer.js';
import { errorResponses } from '../schemas.js';

const nodeJson = (node: LiveNode): ClusterNode => ({
  id: node.id,
  roles: [...node.roles],
  region: node.region,
  address: node.address,
  worker_api: node.workerApi ?? null,
  draining: node.draining,
  players: node.load.players,
  capacity: node.load.capacity,
  rooms: node.load.rooms,
  tick_utilization: node.load.tickUtilization,
  expires_at: new Date(node.expiresAt).toISOString(),
});

/** /api/cluster: the live nodes of the deployment, for operators (admin: it shows internal addresses). */
export function clusterRoutes(deps: { auth: AuthService; roles: Roles; directory: Pick<Directory, 'nodes'> }): FastifyPluginAsyncTypebox {
  const authenticated = requireAccessToken(deps.auth);
  return async (app) => {
    app.get('/api/cluster/nodes', {
      preHandler: authenticated,
      schema: { tags: ['cluster'], summary: 'Live nodes with their roles, addresses and load (admin)', security: bearerSecurity, response: { 200: ClusterNodes, ...errorResponses } },
    }, async (request) => {
      await requireAdmin(deps.roles, request.player!.playerId, 'listing the cluster');
      return { nodes: (await deps.directory.nodes()).map(nodeJson) };
    });
  };
}
