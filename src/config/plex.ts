import type { EnvReader } from './reader.js';

export interface PlexConfig {
  readonly url: string;
  /** Optional: without it only unauthenticated checks run, and plex-reachable says so. */
  readonly token: string | undefined;
  readonly timeoutMs: number;
  /**
   * PLEX_DOWN_GRACE: how long Plex may be unreachable before plex-reachable is reported without
   * waiting for a scan (Tautulli uses 60 s for the same notice). Polls run every half of it.
   */
  readonly downGraceMs: number;
  /** plex.tv base URL (sign-in PIN flow, token validity, downloads feed, resources). */
  readonly tvUrl: string;
}

export function readPlexConfig(r: EnvReader): PlexConfig {
  return {
    url: r.url('PLEX_URL', { default: 'http://127.0.0.1:32400' }) ?? 'http://127.0.0.1:32400',
    token: r.secret('PLEX_TOKEN', {
      minLength: 8,
      expected: 'the X-Plex-Token of the server owner (at least 8 characters, no spaces)',
    }),
    timeoutMs: r.duration('PLEX_TIMEOUT', { default: 5_000, minMs: 100, maxMs: 120_000 }) ?? 5_000,
    downGraceMs: r.duration('PLEX_DOWN_GRACE', { default: 60_000, minMs: 1_000, maxMs: 3_600_000 }) ?? 60_000,
    tvUrl: r.url('PLEX_TV_URL', { default: 'https://plex.tv' }) ?? 'https://plex.tv',
  };
}
