// Durations as people write them on the command line: `30d`, `12h`, `90m`.

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d` -> milliseconds. `where` names the flag or key in the error (e.g. `--retention`). */
export function parseDuration(text: string, where: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$/.exec(text);
  const ms = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
  if (!m || !(ms > 0) || !Number.isFinite(ms)) {
    throw new Error(`${where} must be a duration like 30d, 12h or 90m (a number above 0 and a unit: m, h or d), got "${text}"`);
  }
  return Math.round(ms);
}

/** 2592000000 -> `30d`, 43200000 -> `12h` (for logs and the API). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    const n = ms / UNITS[unit]!;
    if (Number.isInteger(n)) return `${n}${unit}`;
  }
  return `${(ms / UNITS['m']!).toFixed(1)}m`;
}
