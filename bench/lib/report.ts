import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** The measured numbers of one load level. */
export interface StepResult {
  target: string;
  players: number;
  connected: number;
  rooms: number;
  seconds: number;
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
  tickP50: number;
  tickP99: number;
  serverCpuPercent: number;
  serverRssMb: number;
  cpuPer1000Players: number;
  snapshotBytesPerClientPerSecond: number;
  inputsPerSecond: number;
  errors: number;
  disconnects: number;
}

export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** A table column: its header and how a row shows in it. */
export type Column<Row> = [string, (row: Row) => string];

const COLUMNS: Column<StepResult>[] = [
  ['target', (r) => r.target],
  ['players', (r) => `${r.connected}/${r.players}`],
  ['rooms', (r) => String(r.rooms)],
  ['lat p50 ms', (r) => fixed(r.latencyP50)],
  ['lat p99 ms', (r) => fixed(r.latencyP99)],
  ['lat max ms', (r) => fixed(r.latencyMax)],
  ['tick p50 ms', (r) => fixed(r.tickP50 * 1000, 2)],
  ['tick p99 ms', (r) => fixed(r.tickP99 * 1000, 2)],
  ['server CPU %', (r) => fixed(r.serverCpuPercent)],
  ['CPU %/1k players', (r) => fixed(r.cpuPer1000Players)],
  ['RSS MB', (r) => fixed(r.serverRssMb, 0)],
  ['snap B/client/s', (r) => fixed(r.snapshotBytesPerClientPerSecond, 0)],
  ['errors', (r) => String(r.errors)],
  ['disconnects', (r) => String(r.disconnects)],
];

/** A Markdown table (readable in a terminal and pasteable into RESULTS.md). */
export function markdownTable<Row>(columns: Column<Row>[], rows: Row[]): string {
  const header = `| ${columns.map(([name]) => name).join(' | ')} |`;
  const rule = `| ${columns.map(() => '---').join(' | ')} |`;
  return [header, rule, ...rows.map((row) => `| ${columns.map(([, cell]) => cell(row)).join(' | ')} |`)].join('\n');
}

export const table = (rows: StepResult[]) => markdownTable(COLUMNS, rows);

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** An SVG line chart of latency p50/p99 and tick p99 against players, one line set per target. */
export function writePlot(path: string, rows: StepResult[], title: string): void {
  const width = 720;
  const height = 360;
  const margin = { left: 60, right: 20, top: 40, bottom: 50 };
  const maxPlayers = Math.max(1, ...rows.map((r) => r.players));
  const values = rows.flatMap((r) => [r.latencyP99, r.latencyP50, r.tickP99 * 1000]).filter(Number.isFinite);
  const maxMs = Math.max(1, ...values) * 1.1;
  const x = (players: number) => margin.left + (players / maxPlayers) * (width - margin.left - margin.right);
  const y = (ms: number) => height - margin.bottom - (ms / maxMs) * (height - margin.top - margin.bottom);
  const series: { label: string; colour: string; value: (r: StepResult) => number }[] = [
    { label: 'latency p50', colour: '#1f77b4', value: (r) => r.latencyP50 },
    { label: 'latency p99', colour: '#d62728', value: (r) => r.latencyP99 },
    { label: 'tick p99', colour: '#2ca02c', value: (r) => r.tickP99 * 1000 },
  ];
  const targets = [...new Set(rows.map((r) => r.target))];
  const lines: string[] = [];
  targets.forEach((target, t) => {
    const points = rows.filter((r) => r.target === target).sort((a, b) => a.players - b.players);
    for (const s of series) {
      const path = points
        .filter((r) => Number.isFinite(s.value(r)))
        .map((r) => `${x(r.players).toFixed(1)},${y(s.value(r)).toFixed(1)}`)
        .join(' ');
      const dash = t === 0 ? '' : ' stroke-dasharray="6 4"';
      lines.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="2"${dash} points="${path}"/>`);
    }
  });
  const ticks = Array.from({ length: 6 }, (_, i) => (maxMs / 5) * i);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${title}</text>
<line x1="${margin.left}" y1="${height - margin.bottom}" x2="${width - margin.right}" y2="${height - margin.bottom}" stroke="black"/>
<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${height - margin.bottom}" stroke="black"/>
${ticks.map((ms) => `<text x="${margin.left - 6}" y="${y(ms) + 4}" text-anchor="end">${ms.toFixed(0)}</text>`).join('\n')}
<text x="15" y="${height / 2}" transform="rotate(-90 15 ${height / 2})" text-anchor="middle">milliseconds</text>
<text x="${width / 2}" y="${height - 12}" text-anchor="middle">players (0 to ${maxPlayers})</text>
${lines.join('\n')}
${series.map((s, i) => `<text x="${margin.left + 10 + i * 130}" y="${margin.top + 5}" fill="${s.colour}">${s.label}</text>`).join('\n')}
${targets.length > 1 ? `<text x="${width - margin.right}" y="${margin.top + 5}" text-anchor="end">solid: ${targets[0]}, dashed: ${targets.slice(1).join(', ')}</text>` : ''}
</svg>
`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, svg);
}
