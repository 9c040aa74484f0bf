import { Type, type Static } from 'typebox';

export const ClusterNode = Type.Object({
  id: Type.String(),
  roles: Type.Array(Type.Union([Type.Literal('gateway'), Type.Literal('worker')])),
  region: Type.String(),
  address: Type.String({ description: 'Where players and other nodes reach the node' }),
  worker_api: Type.Union([Type.String(), Type.Null()], { description: 'host:port of its gRPC Worker API; null when not served' }),
  draining: Type.Boolean(),
  players: Type.Integer(),
  capacity: Type.Integer(),
  rooms: Type.Integer(),
  tick_utilization: Type.Number({ description: 'Recent tick time over the tick interval (1: no time to spare)' }),
  expires_at: Type.String({ description: 'When the announcement lapses unless renewed (about every second)' }),
});
export type ClusterNode = Static<typeof ClusterNode>;

export const ClusterNodes = Type.Object({ nodes: Type.Array(ClusterNode) });
