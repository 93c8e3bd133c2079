/**
 * Plex and syslog write local time without a zone. Turning that into an instant needs the
 * zone's offset at that moment, which changes twice a year: a spring-forward gap (local times
 * that never happened) and a fall-back fold (an hour that happened twice). Offsets come from
 * Intl and are cached per local minute, so the cost is paid once per minute of log.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
const PART_INDEX: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {
  year: 0,
  month: 1,
  day: 2,
  hour: 3,
  minute: 4,
  second: 5,
};

/**
 * The system's zone as Intl sees it (TZ, else /etc/localtime). Intl's first use loads ICU's zone
 * and calendar data, some 15 ms at start, so it is asked only once a line needs local time.
 * An empty TZ is UTC to the C library (https://man7.org/linux/man-pages/man3/tzset.3.html); ICU
 * calls it `Etc/Unknown`, a zone it then refuses to format in, so that is UTC here too.
 */
export function systemTimeZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return !zone || zone === 'Etc/Unknown' ? 'UTC' : zone;
}

export class LocalTimeZone {
  /** Built on the first local time; null for UTC. */
  private format: Intl.DateTimeFormat | null | undefined;
  private zone: string | undefined;
  private readonly cache = new Map<number, readonly number[]>();

  /** `timeZone` is an IANA name; absent, the system's zone, looked up on first use. */
  constructor(timeZone?: string) {
    this.zone = timeZone;
  }

  get timeZone(): string {
    this.zone ??= systemTimeZone();
    return this.zone;
  }

  private formatter(): Intl.DateTimeFormat | null {
    if (this.format !== undefined) return this.format;
    const timeZone = this.timeZone;
    this.format =
      timeZone === 'UTC' || timeZone === 'Etc/UTC'
        ? null
        : new Intl.DateTimeFormat('en-US', {
            timeZone,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
    return this.format;
  }

  /** Offset (local minus UTC) in ms at an instant. */
  offsetAt(utcMs: number): number {
    const format = this.formatter();
    if (!format) return 0;
    // year, month, day, hour, minute, second (Intl's part types, in Date.UTC's order).
    const f = [0, 0, 0, 0, 0, 0];
    for (const part of format.formatToParts(new Date(utcMs))) {
      const at = PART_INDEX[part.type];
      if (at !== undefined) f[at] = Number(part.value);
    }
    const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = f;
    const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
    return asUtc - (utcMs - (((utcMs % 1000) + 1000) % 1000));
  }

  /**
   * The instant(s) a local minute stands for: one normally, two in a fold (earlier first),
   * and for a gap the instant the clock would show had it not jumped.
   */
  private minuteCandidates(localMinuteAsUtc: number): readonly number[] {
    const cached = this.cache.get(localMinuteAsUtc);
    if (cached) return cached;
    const offsets = new Set([
      this.offsetAt(localMinuteAsUtc - DAY),
      this.offsetAt(localMinuteAsUtc),
      this.offsetAt(localMinuteAsUtc + DAY),
    ]);
    const valid: number[] = [];
    for (const offset of offsets) {
      const candidate = localMinuteAsUtc - offset;
      if (this.offsetAt(candidate) === offset) valid.push(candidate);
    }
    valid.sort((a, b) => a - b);
    const result = valid.length > 0 ? valid : [localMinuteAsUtc - this.offsetAt(localMinuteAsUtc - DAY)];
    if (this.cache.size > 4096) this.cache.clear();
    this.cache.set(localMinuteAsUtc, result);
    return result;
  }

  /**
   * Local wall-clock fields to epoch ms. In a fold, `hint` (the previous line's instant) picks
   * the interpretation that keeps the log in order: the second pass through the repeated hour
   * is read as the later instant.
   */
  toEpoch(
    year: number,
    month0: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    ms: number,
    hint = Number.NaN,
  ): number {
    const local = Date.UTC(year, month0, day, hour, minute, 0);
    const rest = second * 1000 + ms;
    if (!this.formatter()) return local + rest;
    const candidates = this.minuteCandidates(local);
    const first = (candidates[0] ?? local) + rest;
    if (candidates.length === 1 || Number.isNaN(hint)) return first;
    // The earlier reading would jump back in time by more than a few minutes: take the later one.
    if (first < hint - 5 * MINUTE) return (candidates[1] ?? local) + rest;
    return first;
  }
}

const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;
/** Month index by the three chars packed into one number: no substring per line. */
const MONTHS = new Map<number, number>(
  MONTH_NAMES.map((name, index) => [
    (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2),
    index,
  ]),
);

/** Month index (0-11) of a three-letter English month at `i`, or -1. */
export function monthAt(text: string, i: number): number {
  const key = (text.charCodeAt(i) << 16) | (text.charCodeAt(i + 1) << 8) | text.charCodeAt(i + 2);
  return MONTHS.get(key) ?? -1;
}

/** Two decimal digits at `i`, or -1. */
export function digits2(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** `n` decimal digits at `i`, or -1. */
export function digitsN(text: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
