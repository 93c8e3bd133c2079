import * as v from 'valibot';
import { localDay } from '../kernel/local-day.js';

/**
 * Remote streams seen per local day, kept in plex-sessions' check state (the check's own
 * persistence, so the check still only returns data) and read by the weekly picture. A stream
 * is seen by a scan or a Plex "playing" event while it runs; one that spans midnight counts on
 * both days.
 */
export const STREAM_DAYS_KEY = 'stream-days';
export const StreamDaysSchema = v.record(v.string(), v.array(v.string()));
export type StreamDays = v.InferOutput<typeof StreamDaysSchema>;

/** As many days as the daily log counts keep; a busy day's list is capped. */
const KEEP_DAYS = 62;
const MAX_PER_DAY = 1_000;

/** Adds the streams in progress now to today's list; drops days past the retention. */
export function recordStreams(
  previous: StreamDays | undefined,
  now: number,
  ids: readonly string[],
): StreamDays {
  const today = localDay(now);
  const out: StreamDays = {};
  const oldest = localDay(now - KEEP_DAYS * 86_400_000);
  for (const [day, list] of Object.entries(previous ?? {})) if (day >= oldest) out[day] = list;
  const list = new Set(out[today] ?? []);
  for (const id of ids) if (list.size < MAX_PER_DAY) list.add(id);
  out[today] = [...list];
  return out;
}
