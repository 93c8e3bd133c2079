const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const satisfies Record<string, number>;

const PART = /(\d+)(ms|[smhdw])/gy;

/**
 * Parses a human duration such as `500ms`, `90s`, `30m`, `1h30m`, `7d` into milliseconds.
 * A bare number is read as seconds. Returns undefined for anything else, including zero.
 */
export function parseDuration(text: string): number | undefined {
  const input = text.trim().toLowerCase().replace(/\s+/g, '');
  if (input.length === 0 || input.length > 32) return undefined;
  if (/^\d+$/.test(input)) {
    const seconds = Number(input);
    return seconds > 0 ? seconds * 1_000 : undefined;
  }
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(input); match !== null; match = PART.exec(input)) {
    const [whole, amount, unit] = match;
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    consumed += whole.length;
  }
  if (consumed !== input.length || total <= 0 || !Number.isSafeInteger(total)) return undefined;
  return total;
}

/** Formats milliseconds as a compact duration (`1h 30m`, `45s`, `2d 4h`). */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(' ');
}
