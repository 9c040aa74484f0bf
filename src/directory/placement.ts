import type { LiveNode } from './types.js';

/** How busy a node is, 0 (idle) to 1 (full): its players against its capacity, or its tick loop, whichever is higher. */
export function loadScore(node: Pick<LiveNode, 'load'>): number {
  const { players, capacity, tickUtilization } = node.load;
  return Math.max(capacity > 0 ? players / capacity : 1, tickUtilization);
}

/**
 * The worker a new room goes to: among live workers that are not draining and have a free seat, those of the
 * player's region if any, else all; the least loaded (in steps of 5 %: a hair less tick time does not draw
 * every room), then the one with fewer rooms, then the less loaded, then by id so every gateway picks the same. Undefined when no worker can take it.
 */
export function chooseWorker(nodes: readonly LiveNode[], region?: string): LiveNode | undefined {
  const open = nodes.filter((node) => node.roles.includes('worker') && !node.draining && node.load.players < node.load.capacity && node.load.tickUtilization < 1);
  const local = region === undefined ? [] : open.filter((node) => node.region === region);
  const candidates = local.length > 0 ? local : open;
  let best: LiveNode | undefined;
  for (const node of candidates) {
    if (!best || compareLoad(node, best) < 0) best = node;
  }
  return best;
}

/** Loads within one step of this size count as equal, so the room count decides between near-idle workers. */
const LOAD_STEP = 0.05;

function compareLoad(a: LiveNode, b: LiveNode): number {
  const step = (node: LiveNode) => Math.floor(loadScore(node) / LOAD_STEP);
  return step(a) - step(b) || a.load.rooms - b.load.rooms || loadScore(a) - loadScore(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
