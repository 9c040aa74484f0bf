import { readFileSync, readdirSync } from 'node:fs';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the process (or thread) ended between listing and reading
  }
}

/** The process and all its descendants (a multi-process server's workers), from /proc. */
function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${tree[i]}/task`);
    } catch {
      continue; // ended meanwhile
    }
    for (const task of tasks) {
      for (const child of read(`/proc/${tree[i]}/task/${task}/children`).split(' ')) if (child.trim()) tree.push(Number(child));
    }
  }
  return tree;
}

/**
 * CPU and memory of a server process and its child processes (the workers of WORKERS > 1) from /proc
 * (Linux), sampled between two points in time.
 */
export class ProcessProbe {
  private lastCpuTicks: number;
  private lastAt: number;
  private readonly ticksPerSecond = 100;

  constructor(readonly pid: number) {
    this.lastCpuTicks = this.cpuTicks();
    this.lastAt = performance.now();
  }

  /** CPU used since the previous call, in % of one core (200 = two full cores). */
  cpuPercent(): number {
    const ticks = this.cpuTicks();
    const now = performance.now();
    const percent = ((ticks - this.lastCpuTicks) / this.ticksPerSecond / ((now - this.lastAt) / 1000)) * 100;
    this.lastCpuTicks = ticks;
    this.lastAt = now;
    return percent;
  }

  rssMb(): number {
    let kb = 0;
    for (const pid of processTree(this.pid)) kb += Number(/VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`))?.[1] ?? 0);
    return kb / 1024;
  }

  private cpuTicks(): number {
    let ticks = 0;
    for (const pid of processTree(this.pid)) {
      // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
      const stat = read(`/proc/${pid}/stat`);
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    }
    return ticks;
  }
}

export interface BucketCounts {
  le: number[];
  cumulative: number[];
}

/** The cumulative buckets of one Prometheus histogram in a /metrics text, summed over its series (processes). */
export function histogramBuckets(metricsText: string, name: string): BucketCounts {
  const counts = new Map<number, number>();
  const pattern = new RegExp(`^${name}_bucket\\{[^}]*\\ble="([^"]+)"[^}]*\\} (\\d+(?:\\.\\d+)?)$`);
  for (const line of metricsText.split('\n')) {
    const match = pattern.exec(line);
    if (!match) continue;
    const le = match[1] === '+Inf' ? Infinity : Number(match[1]);
    counts.set(le, (counts.get(le) ?? 0) + Number(match[2]));
  }
  const le = [...counts.keys()].sort((a, b) => a - b);
  return { le, cumulative: le.map((bound) => counts.get(bound)!) };
}

/** Quantile (upper bucket bound) of the observations made between two scrapes of one histogram. */
export function bucketQuantile(before: BucketCounts, after: BucketCounts, q: number): number {
  const counts = after.cumulative.map((count, i) => count - (before.cumulative[i] ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total === 0) return NaN;
  const index = counts.findIndex((count) => count >= q * total);
  return after.le[index] ?? NaN;
}
