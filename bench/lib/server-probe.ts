import { readFileSync } from 'node:fs';

/** CPU and memory of a process from /proc (Linux), sampled between two points in time. */
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
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  }

  private cpuTicks(): number {
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  }
}

export interface BucketCounts {
  le: number[];
  cumulative: number[];
}

/** The cumulative buckets of one Prometheus histogram in a /metrics text. */
export function histogramBuckets(metricsText: string, name: string): BucketCounts {
  const le: number[] = [];
  const cumulative: number[] = [];
  const pattern = new RegExp(`^${name}_bucket\\{le="([^"]+)"[^}]*\\} (\\d+(?:\\.\\d+)?)$`);
  for (const line of metricsText.split('\n')) {
    const match = pattern.exec(line);
    if (!match) continue;
    le.push(match[1] === '+Inf' ? Infinity : Number(match[1]));
    cumulative.push(Number(match[2]));
  }
  return { le, cumulative };
}

/** Quantile (upper bucket bound) of the observations made between two scrapes of one histogram. */
export function bucketQuantile(before: BucketCounts, after: BucketCounts, q: number): number {
  const counts = after.cumulative.map((count, i) => count - (before.cumulative[i] ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total === 0) return NaN;
  const index = counts.findIndex((count) => count >= q * total);
  return after.le[index] ?? NaN;
}
