import * as v from 'valibot';
import type { CheckState } from '../domain/check-state.js';

/**
 * What Plex last said about its own reachability from the internet, kept in the
 * plex-remote-access check's state: the live watcher records each `reachability` notification
 * (Plex's notification websocket, `ReachabilityNotification[{reachability}]`), the check reads
 * it. Plex sends the event when plex.tv's probe of the published address changes, which is how
 * Tautulli notices remote access going down and up (Tautulli plexpy/activity_handler.py
 * ReachabilityHandler).
 */
const KEY = 'reachability';

const ReachabilitySchema = v.object({ reachable: v.boolean(), since: v.number() });
export type RemoteReachability = v.InferOutput<typeof ReachabilitySchema>;

export function readRemoteReachability(state: CheckState): RemoteReachability | undefined {
  return state.get(KEY, ReachabilitySchema);
}

/** Records one notification; a repeat of the current answer keeps the time it began. */
export function recordRemoteReachability(state: CheckState, reachable: boolean, at: number): void {
  if (readRemoteReachability(state)?.reachable === reachable) return;
  state.set(KEY, { reachable, since: at } satisfies RemoteReachability);
}

/**
 * Unreachable for at least `graceMs`: what is reported. Shorter outages are blips (Tautulli
 * waits NOTIFY_REMOTE_ACCESS_THRESHOLD, 60 s by default, before it notifies, and drops the
 * notice when remote access is back before then).
 */
export function unreachableLongEnough(
  reachability: RemoteReachability | undefined,
  now: number,
  graceMs: number,
): reachability is RemoteReachability {
  return reachability !== undefined && !reachability.reachable && now - reachability.since >= graceMs;
}
