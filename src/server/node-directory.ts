/** This process in the node directory: what it announces about itself, and its agent on a timer. */
import type { Logger } from 'pino';
import type { LocalLoad } from '../autoscaling/index.js';
import type { Config } from '../config/index.js';
import { DirectoryAgent, type Directory, type NodeRecord } from '../directory/index.js';
import type { RoomManager } from '../rooms/index.js';
import { PeriodicTask } from './periodic.js';

/** How often each process announces itself and renews its room leases; each lives three beats. */
export const BEAT_MS = 1_000;
export const TIMINGS = { nodeTtlMs: 3 * BEAT_MS, leaseTtlMs: 3 * BEAT_MS };

const ROLES = { all: ['gateway', 'worker'], gateway: ['gateway'], worker: ['worker'] } as const;

/** What the announcement is made of; read at every beat (the first one comes once the process serves). */
export interface AnnouncedNode {
  id: string;
  /** Set when this is a worker process of a multi-process node, which is reached through its primary's port. */
  processSuffix: string | undefined;
  /** Where the gateway listens (a worker process of a multi-process node: its own loopback port). */
  url(): string;
  /** Where players reach this process when an orchestrator decides it (Agones), unless PUBLIC_URL says. */
  orchestratedUrl(): string | undefined;
  workerApi(): string | undefined;
  connections(): number;
  rooms: RoomManager;
  load: LocalLoad;
}

export function directoryAgent(directory: Directory, config: Config, node: AnnouncedNode, logger: Logger): DirectoryAgent {
  const port = () => (node.processSuffix === undefined ? Number(new URL(node.url()).port) : config.server.bindAddr.port);
  const self = (): NodeRecord => {
    const address = config.server.publicUrl ?? node.orchestratedUrl() ?? `http://${config.server.nodeName}:${port()}`;
    const workerApi = node.workerApi();
    return {
      id: node.id,
      roles: ROLES[config.server.role],
      region: config.server.region,
      address,
      ...(workerApi ? { workerApi: reachable(workerApi, address) } : {}),
      draining: node.rooms.draining,
      load: {
        players: node.connections(),
        capacity: config.transport.maxConnections,
        rooms: node.rooms.roomCount,
        tickUtilization: node.load.tickUtilization(),
      },
    };
  };
  // A room whose lease another node took is that node's now, match and all: handed over, not ended.
  const served = { ids: () => node.rooms.roomIds(), stopServing: async (roomId: string) => node.rooms.handOver(roomId) };
  return new DirectoryAgent(directory, self, served, TIMINGS, {
    fenced: (roomId, holder) => logger.error({ room: roomId, holder }, 'another node holds this room: stopped serving it here'),
  });
}

/** A Worker API bound to every interface (0.0.0.0, ::) is announced at the host other nodes reach this one at. */
function reachable(bound: string, address: string): string {
  const port = bound.slice(bound.lastIndexOf(':') + 1);
  const host = bound.slice(0, bound.lastIndexOf(':'));
  return host === '0.0.0.0' || host === '::' || host === '[::]' ? `${new URL(address).hostname}:${port}` : bound;
}

/** Announces this process now (a directory that does not answer is logged, not fatal), then every beat. */
export async function startBeating(agent: DirectoryAgent, logger: Logger): Promise<PeriodicTask> {
  const failed = (error: unknown) => logger.warn({ err: error }, 'announcing this node in the directory failed');
  await agent.beat().catch(failed);
  const beating = new PeriodicTask(BEAT_MS, () => agent.beat(), failed);
  beating.start();
  return beating;
}
