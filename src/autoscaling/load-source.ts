import { loadScore, type Directory } from '../directory/index.js';

/**
 * Where the recommendation's load comes from: this process alone (LocalLoad), or every process that announces
 * itself in the node directory (DirectoryLoad).
 */
export interface LoadSource {
  /** Each replica's utilization, in percent of its capacity (100: full; more: overloaded). */
  utilization(): Promise<number[]>;
}

/** What one process of this node can carry. */
export interface ProcessCapacity {
  /** MAX_CONNECTIONS. */
  maxConnections: number;
  /** TICK_RATE: one tick of every room has 1 / tickRate seconds. */
  tickRate: number;
}

/**
 * A process's utilization, in percent: the scarcer of its two resources, connections against MAX_CONNECTIONS and
 * the time one tick of every room takes against the tick budget (1 / TICK_RATE). Rooms count through the tick time
 * they cost; there is no room limit of their own.
 */
export function processUtilization(capacity: ProcessCapacity, connections: number, tickSeconds: number): number {
  return 100 * Math.max(connections / capacity.maxConnections, tickSeconds * capacity.tickRate);
}

/**
 * How long the tick time is averaged over. Long enough that one GC pause does not add a server, short enough that
 * a real rise shows within a scrape or two.
 */
const TICK_SMOOTHING_SECONDS = 10;

/** This process as the whole deployment: one replica, measured from its connections and tick times. */
export class LocalLoad implements LoadSource {
  private tickSeconds = 0;
  /** Weight of each new tick in the moving average: about TICK_SMOOTHING_SECONDS worth of ticks. */
  private readonly weight: number;

  constructor(
    private readonly capacity: ProcessCapacity,
    private readonly connections: () => number,
  ) {
    this.weight = 1 / (TICK_SMOOTHING_SECONDS * capacity.tickRate);
  }

  /** The time of one whole tick: every room, every slice. */
  observeTick(seconds: number): void {
    this.tickSeconds += (seconds - this.tickSeconds) * this.weight;
  }

  /** The smoothed tick time over the tick budget: 1 when the tick loop has no time to spare. */
  tickUtilization(): number {
    return this.tickSeconds * this.capacity.tickRate;
  }

  async utilization(): Promise<number[]> {
    return [processUtilization(this.capacity, this.connections(), this.tickSeconds)];
  }
}

/**
 * Every room-hosting process of the deployment: this one measured now, the others as they last announced
 * themselves in the node directory (src/directory), each by the same measure as LocalLoad's.
 */
export class DirectoryLoad implements LoadSource {
  constructor(
    private readonly directory: Pick<Directory, 'nodes'>,
    private readonly self: { id: string; load: LocalLoad },
  ) {}

  async utilization(): Promise<number[]> {
    const others = (await this.directory.nodes()).filter((node) => node.id !== this.self.id && node.roles.includes('worker'));
    return [...(await this.self.load.utilization()), ...others.map((node) => 100 * loadScore(node))];
  }
}
