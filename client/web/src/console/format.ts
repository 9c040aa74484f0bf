/** Display formats shared by the console panels. */

const pad = (value: number) => String(value).padStart(2, '0');

/** A duration in milliseconds as "850 ms", "12.4 s", "3 m 05 s" or "2 h 10 m". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${pad(Math.floor(seconds % 60))} s`;
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} m`;
}

/** An ISO instant in the operator's local time, "2026-12-05 18:00:04". */
export function dateTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${clock(at)}`;
}

/** "18:00:04". */
export function clock(at: Date): string {
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** How long ago an ISO instant was, "12 s ago"; "in 3 m 05 s" for a future one. */
export function ago(iso: string, now = Date.now()): string {
  const elapsed = now - new Date(iso).getTime();
  if (Number.isNaN(elapsed)) return iso;
  return elapsed >= 0 ? `${duration(elapsed)} ago` : `in ${duration(-elapsed)}`;
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

/** An id shortened for a table cell; the full id goes in the title. */
export function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

/** A `datetime-local` input's value as an ISO instant; null when empty (a permanent ban). */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new Error(`"${value}" is not a date and time`);
  return at.toISOString();
}
