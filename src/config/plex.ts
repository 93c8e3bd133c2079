import { PLEX } from './keys/index.js';
import type { EnvReader } from './reader.js';

export interface PlexConfig {
  readonly url: string;
  /** Optional: without it only unauthenticated checks run, and plex-reachable says so. */
  readonly token: string | undefined;
  readonly timeoutMs: number;
  /**
   * PLEX_DOWN_GRACE: how long Plex (or its Remote Access) may be unreachable before it is reported without
   * waiting for a scan (Tautulli uses 60 s for the same notice). Polls run every half of it.
   */
  readonly downGraceMs: number;
  /** plex.tv base URL (sign-in PIN flow, token validity, downloads feed, resources). */
  readonly tvUrl: string;
}

export function readPlexConfig(r: EnvReader): PlexConfig {
  const k = PLEX.keys;
  return {
    url: r.value(k.PLEX_URL),
    token: r.value(k.PLEX_TOKEN),
    timeoutMs: r.value(k.PLEX_TIMEOUT),
    downGraceMs: r.value(k.PLEX_DOWN_GRACE),
    tvUrl: r.value(k.PLEX_TV_URL),
  };
}
