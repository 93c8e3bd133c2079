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

/** Every value of this section is read as is: the table's `field`s make the whole object. */
export function readPlexConfig(r: EnvReader): PlexConfig {
  return r.fields(PLEX);
}
