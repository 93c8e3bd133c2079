import { comparePlexVersions } from '../adapters/plex/plex-version-number.js';
import type { Severity } from '../domain/finding.js';

export interface PlexAdvisory {
  readonly id: string;
  /** How the advisory is known (CVE ids or the vendor notice). */
  readonly name: string;
  readonly url?: string;
  readonly severity: Severity;
  readonly summary: string;
  /** First affected version (inclusive); absent = all earlier versions. */
  readonly introduced?: string;
  /** First fixed version; versions at or above are not affected. */
  readonly fixedIn?: string;
  /** Last affected version (inclusive), when the advisory states that instead of a fix. */
  readonly lastAffected?: string;
  /** `GET /` platform values affected; absent = every platform. */
  readonly platforms?: readonly string[];
}

/**
 * Known-vulnerable Plex Media Server ranges. Curated by hand: add a row when Plex or a CVE names
 * a range; keep the newest first. Versions compare on their first four numbers.
 */
export const PLEX_ADVISORIES = [
  {
    id: 'plex2shell-2026',
    name: 'CVE-2026-96651, -96652, -96654, -96655, -96656 ("plex2shell", CISA VA-26-266-01)',
    url: 'https://forums.plex.tv/t/important-security-update-for-plex-media-server-v1-43-2-and-earlier/942319',
    severity: 'critical',
    summary: 'a chain from an unauthenticated request to code execution and reading the PlexOnlineToken',
    fixedIn: '1.43.3.10861',
  },
  {
    id: 'cve-2025-69414',
    name: 'CVE-2025-69414',
    url: 'https://www.cve.org/CVERecord?id=CVE-2025-69414',
    severity: 'high',
    summary: 'a transient token could be turned into a permanent one through /myplex/account',
    lastAffected: '1.42.2.10156',
  },
  {
    id: 'plex-2025-08',
    name: 'Plex security notice of August 2025 (owners were emailed; no CVE at the time)',
    severity: 'high',
    summary: 'an undisclosed flaw reported through the bug bounty; Plex urged an immediate update',
    introduced: '1.41.7.0',
    fixedIn: '1.42.1.10060',
  },
  {
    id: 'cve-2020-5741',
    name: 'CVE-2020-5741 (exploited in the wild)',
    url: 'https://www.tenable.com/security/research/tra-2020-32',
    severity: 'critical',
    summary: 'remote code execution for an authenticated attacker (Windows); used in real intrusions',
    fixedIn: '1.19.3.0',
    platforms: ['Windows'],
  },
] as const satisfies readonly PlexAdvisory[];

export function affects(advisory: PlexAdvisory, version: string, platform: string | undefined): boolean {
  if (advisory.platforms && platform !== undefined && !advisory.platforms.includes(platform)) return false;
  if (advisory.introduced !== undefined && (comparePlexVersions(version, advisory.introduced) ?? -1) < 0)
    return false;
  if (advisory.fixedIn !== undefined && (comparePlexVersions(version, advisory.fixedIn) ?? 1) >= 0)
    return false;
  if (advisory.lastAffected !== undefined && (comparePlexVersions(version, advisory.lastAffected) ?? 1) > 0)
    return false;
  return comparePlexVersions(version, '0.0.0.0') !== undefined;
}

export function affectedRange(advisory: PlexAdvisory): string {
  const from = advisory.introduced ? `from ${advisory.introduced} ` : '';
  if (advisory.fixedIn) return `${from}before ${advisory.fixedIn}`;
  return `${from}up to ${advisory.lastAffected ?? '?'}`;
}
