/**
 * Calendar days in the bot's local time zone (the zone REPORT_SCHEDULE and SCAN_SCHEDULE run
 * in), as `YYYY-MM-DD`. The weekly picture counts per local day, so that "Monday" is the
 * household's Monday.
 */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const m = d.getMonth() + 1;
  const day = d.getDate();
  return `${d.getFullYear()}-${m < 10 ? '0' : ''}${m}-${day < 10 ? '0' : ''}${day}`;
}

/** Local midnight at or before `ms`, and the next one (days are 23 or 25 hours around DST). */
export function localDayBounds(ms: number): { start: number; end: number } {
  const d = new Date(ms);
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  return { start, end };
}

/** The last `n` local days ending with the day of `now`, oldest first. */
export function lastLocalDays(now: number, n: number): string[] {
  const d = new Date(now);
  const days: string[] = [];
  for (let i = n - 1; i >= 0; i--)
    days.push(localDay(new Date(d.getFullYear(), d.getMonth(), d.getDate() - i, 12).getTime()));
  return days;
}
