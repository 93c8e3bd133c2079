import { comparePlexVersions } from '../adapters/plex/plex-version-number.js';
import type { Severity } from '../domain/finding.js';

/** A score as the source published it (never computed here). */
export interface PublishedCvss {
  readonly version: '3.1' | '4.0';
  readonly score: number;
  readonly vector: string;
}

/**
 * What the sources say about how bad it is. `cvss` when a CVE record or NVD publishes a score;
 * otherwise `rating`, the words of the vendor or the researcher who published the finding.
 */
export type PublishedSeverity =
  | { readonly cvss: readonly [PublishedCvss, ...PublishedCvss[]] }
  | { readonly rating: Level; readonly by: string }
  /** No source rates it: our own level, with the reason, shown as ours. */
  | { readonly unrated: Level; readonly why: string };

type Level = 'low' | 'medium' | 'high' | 'critical';

export interface PlexAdvisory {
  readonly id: string;
  /** CVE id, or the title the source gives a finding that has no CVE. */
  readonly name: string;
  /** Public pages that state the range and the severity; at least one (a test enforces it). */
  readonly sources: readonly [string, ...string[]];
  readonly published: PublishedSeverity;
  /** A source records exploitation in the wild (raises the level one step, see severityOf). */
  readonly exploited?: { readonly source: string };
  readonly summary: string;
  /** First affected version (inclusive) a source names; absent = every earlier version. */
  readonly introduced?: string;
  /** First fixed version; versions at or above are not affected. */
  readonly fixedIn?: string;
  /** Last affected version (inclusive), when the source states that instead of a fix. */
  readonly lastAffected?: string;
  /** `GET /` platform values affected; absent = every platform. */
  readonly platforms?: readonly string[];
}

const NVD = (id: string) => `https://nvd.nist.gov/vuln/detail/${id}`;
const CVE_ORG = (id: string) => `https://www.cve.org/CVERecord?id=${id}`;
const CISA_VA_26_266_01 =
  'https://raw.githubusercontent.com/cisagov/CSAF/develop/csaf_files/IT/white/2026/va-26-266-01.json';
const PLEX_RELEASE_1_43_3_10861 = 'https://forums.plex.tv/t/plex-media-server/30447/711';
const ZENOFEX = 'https://github.com/Zenofex/Plex_Vuln_PoCs';

/**
 * Known-vulnerable Plex Media Server ranges, newest fix first. Every row carries the pages it
 * was read from; a row whose fact is not on one of its pages does not belong here. Versions
 * compare on their first four numbers.
 *
 * Not rows: CVE-2025-69416 and CVE-2025-69417 concern the plex.tv backend, not a server version
 * (their CVE records name "plex.tv backend ... through 2025-12-31"). No source states which
 * release fixed CVE-2025-69414/-69415: those rows carry `lastAffected` only.
 */
export const PLEX_ADVISORIES = [
  {
    id: 'agentservice-symlink-read',
    name: 'AgentService symlink file read (no CVE as of 2026-09-10)',
    sources: [`${ZENOFEX}/blob/main/agentservice-symlink-read/README.md`],
    published: { rating: 'medium', by: 'the researcher (provisional, no CVSS)' },
    summary:
      'an authenticated media/get request follows a bundle symlink out of the metadata bundle and returns the file',
    // The earliest build the source confirms affected; it did not test older builds.
    introduced: '1.43.3.10896',
    fixedIn: '1.43.4.10903',
  },
  {
    id: 'metadata-file-read',
    name: 'metadata file:// read (no CVE as of 2026-09-10)',
    sources: [`${ZENOFEX}/blob/main/metadata-file-read/README.md`, `${ZENOFEX}/blob/main/README.md`],
    published: { rating: 'high', by: 'the researcher (provisional, no CVSS)' },
    summary:
      'GET /library/metadata/{id}/file?url=file://… returns any file Plex can read, Preferences.xml and so the PlexOnlineToken included',
    introduced: '1.43.3.10828',
    fixedIn: '1.43.3.10896',
  },
  {
    id: 'profile-extra-rce',
    name: 'client-profile augmentation command execution (no CVE as of 2026-09-10)',
    sources: [`${ZENOFEX}/blob/main/profile-extra-rce/README.md`, `${ZENOFEX}/blob/main/README.md`],
    published: { rating: 'high', by: 'the researcher (provisional, no CVSS)' },
    summary:
      'an authenticated client injects transcoder arguments through X-Plex-Client-Profile-Extra and runs commands as the Plex account',
    introduced: '1.43.3.10861',
    fixedIn: '1.43.3.10896',
  },
  {
    // Sources disagree on what this id covers. Its CVE record and CISA VA-26-266-01 (CSAF
    // remediations: "Fixed in 1.43.3.10861") describe a traversal in /system/agents/media/get,
    // fixed in 1.43.3.10861. It is also described as the file read exposing Preferences.xml, and
    // so the PlexOnlineToken, that is fixed only in 1.43.3.10896: that read is a different
    // endpoint in Zenofex's patch diff (metadata-file-read, /library/metadata/{id}/file?url=
    // file://, "Affected: 10861; fixed: 10896", no CVE), and a WAF plugin covers both with one
    // rule (davidscarth/plex-hardening-plugin README, rule 9531200). No public source found says
    // CVE-2026-96651 is still open in 1.43.3.10861, so this row keeps the published 10861, and
    // 1.43.3.10861 is flagged high through the metadata-file-read row above instead.
    id: 'cve-2026-96651',
    name: 'CVE-2026-96651',
    sources: [CVE_ORG('CVE-2026-96651'), CISA_VA_26_266_01, PLEX_RELEASE_1_43_3_10861],
    published: {
      cvss: [
        { version: '3.1', score: 6.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N' },
        {
          version: '4.0',
          score: 7.1,
          vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N',
        },
      ],
    },
    summary:
      'path traversal in /system/agents/media/get reads any file Plex can read, the PlexOnlineToken included (a session token, or X-Forwarded-For from the LAN)',
    fixedIn: '1.43.3.10861',
  },
  {
    id: 'cve-2026-96656',
    name: 'CVE-2026-96656',
    sources: [CVE_ORG('CVE-2026-96656'), CISA_VA_26_266_01, PLEX_RELEASE_1_43_3_10861],
    published: {
      cvss: [
        { version: '3.1', score: 7.2, vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' },
        {
          version: '4.0',
          score: 8.6,
          vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
        },
      ],
    },
    summary:
      'an admin user writes files that Plex loads and runs (TranscoderH264Options, unsigned codec .so files)',
    fixedIn: '1.43.3.10861',
  },
  {
    id: 'cve-2026-96654',
    name: 'CVE-2026-96654',
    sources: [CVE_ORG('CVE-2026-96654'), CISA_VA_26_266_01, PLEX_RELEASE_1_43_3_10861],
    published: {
      cvss: [
        { version: '3.1', score: 6.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N' },
        {
          version: '4.0',
          score: 6.9,
          vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N',
        },
      ],
    },
    summary: "URL values in searchOne are not neutralized: a caller reaches other plug-ins' functions",
    fixedIn: '1.43.3.10861',
  },
  {
    id: 'cve-2026-96652',
    name: 'CVE-2026-96652',
    sources: [CVE_ORG('CVE-2026-96652'), CISA_VA_26_266_01, PLEX_RELEASE_1_43_3_10861],
    published: {
      cvss: [{ version: '3.1', score: 4.3, vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N' }],
    },
    summary: 'SSRF through /player/timeline: any X-Plex-Token value makes the server POST to a chosen URL',
    fixedIn: '1.43.3.10861',
  },
  {
    id: 'cve-2026-96655',
    name: 'CVE-2026-96655',
    sources: [CVE_ORG('CVE-2026-96655'), CISA_VA_26_266_01, PLEX_RELEASE_1_43_3_10861],
    published: {
      cvss: [{ version: '3.1', score: 4.3, vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N' }],
    },
    summary: 'an authenticated user makes the transcoder fetch arbitrary internal or external addresses',
    fixedIn: '1.43.3.10861',
  },
  {
    id: 'cve-2025-69414',
    name: 'CVE-2025-69414',
    sources: [
      CVE_ORG('CVE-2025-69414'),
      'https://github.com/lufinkey/vulnerability-research/blob/main/CVE-2025-34158/README.md',
    ],
    published: {
      cvss: [{ version: '3.1', score: 8.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:L/A:N' }],
    },
    summary: 'a transient access token can be turned into a permanent one through /myplex/account',
    lastAffected: '1.42.2.10156',
  },
  {
    id: 'cve-2025-69415',
    name: 'CVE-2025-69415',
    sources: [
      CVE_ORG('CVE-2025-69415'),
      'https://github.com/lufinkey/vulnerability-research/blob/main/CVE-2025-34158/README.md',
    ],
    published: {
      cvss: [{ version: '3.1', score: 7.1, vector: 'CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:C/C:H/I:L/A:N' }],
    },
    summary: 'a device token keeps access to /myplex/account after the device left the account',
    lastAffected: '1.42.2.10156',
  },
  {
    id: 'cve-2025-34158',
    name: 'CVE-2025-34158 (the Plex security notice of August 2025)',
    sources: [CVE_ORG('CVE-2025-34158'), 'https://forums.plex.tv/t/plex-media-server-security-update/928341'],
    published: {
      unrated: 'high',
      why: 'the CVE record has no score; Plex emailed owners to update immediately',
    },
    summary: 'incorrect resource transfer between spheres, reported through the bug bounty',
    introduced: '1.41.7.0',
    fixedIn: '1.42.1.10060',
  },
  {
    id: 'cve-2021-42835',
    name: 'CVE-2021-42835',
    sources: [CVE_ORG('CVE-2021-42835'), 'https://forums.plex.tv/t/security-regarding-cve-2021-42835/761510'],
    published: { unrated: 'medium', why: 'the CVE record has no score; it needs a local account first' },
    summary: "a local low-privileged user runs code as SYSTEM through the update service's RPC (TOCTOU race)",
    lastAffected: '1.24.4.5081',
    // SYSTEM and SMB in the record: the Windows update service.
    platforms: ['Windows'],
  },
  {
    id: 'cve-2021-33959',
    name: 'CVE-2021-33959',
    sources: [
      CVE_ORG('CVE-2021-33959'),
      NVD('CVE-2021-33959'),
      'https://github.com/qweasader/gbn/blob/main/2023/plex/gb_plex_media_server_dos_vuln_feb21.nasl',
    ],
    published: {
      cvss: [{ version: '3.1', score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
    },
    summary: 'the server can be used for DDoS reflection (SSDP/GDM answers to forged sources)',
    fixedIn: '1.21.3.4014',
  },
  {
    id: 'cve-2020-5741',
    name: 'CVE-2020-5741',
    sources: [
      CVE_ORG('CVE-2020-5741'),
      'https://www.tenable.com/security/research/tra-2020-32',
      'https://forums.plex.tv/t/security-regarding-cve-2020-5741/586819',
    ],
    published: {
      cvss: [{ version: '3.1', score: 7.2, vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
    },
    // "CISA noted active exploitation of CVE-2020-5741" (and the LastPass write-up it cites).
    exploited: {
      source:
        'https://peterhallen.com/blog/plex-security-vulnerability-home-entertainment-security-2025.html',
    },
    summary:
      'an authenticated attacker runs Python code on Windows servers (unpickling); used in real intrusions',
    fixedIn: '1.19.3.0',
    platforms: ['Windows'],
  },
  {
    id: 'cve-2019-19141',
    name: 'CVE-2019-19141',
    sources: [
      CVE_ORG('CVE-2019-19141'),
      'https://forums.plex.tv/t/security-camera-upload/507289',
      'https://github.com/Clivebi/nvtscript/blob/master/2020/plex/gb_plex_media_server_rce_vuln.sc',
    ],
    published: {
      cvss: [{ version: '3.1', score: 8.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' }],
    },
    summary: 'Camera Upload lets an authenticated user write files anywhere the Plex account can',
    fixedIn: '1.18.2.2041',
  },
] as const satisfies readonly PlexAdvisory[];

/** Throws on a row without a source: the table is only as good as the pages it was read from. */
export function assertSourced(advisories: readonly PlexAdvisory[]): void {
  for (const a of advisories) {
    if (
      !Array.isArray(a.sources) ||
      a.sources.length === 0 ||
      a.sources.some((u) => !u.startsWith('https://'))
    )
      throw new Error(`advisory ${a.id} has no source`);
  }
}
assertSourced(PLEX_ADVISORIES);

/**
 * Our level from the published one: the CVSS qualitative rating scale (FIRST, CVSS v3.1
 * specification section 5, the same bands in v4.0: https://www.first.org/cvss/v3.1/specification-document)
 * mapped one to one, using the highest score a source published. A published word rating maps
 * to the same level. Known exploitation in the wild raises it one step.
 *
 * | published          | level    |
 * |--------------------|----------|
 * | CVSS 9.0 - 10.0    | critical |
 * | CVSS 7.0 - 8.9     | high     |
 * | CVSS 4.0 - 6.9     | medium   |
 * | CVSS 0.1 - 3.9     | low      |
 * | a word rating      | the same word |
 * | unrated            | the row's own level, shown with its reason |
 */
export function severityOf(advisory: PlexAdvisory): Severity {
  const p = advisory.published;
  const base = 'cvss' in p ? cvssLevel(p.cvss) : 'rating' in p ? p.rating : p.unrated;
  if (!advisory.exploited) return base;
  return base === 'low' ? 'medium' : base === 'medium' ? 'high' : 'critical';
}

function cvssLevel(scores: readonly PublishedCvss[]): Level {
  const top = Math.max(...scores.map((s) => s.score));
  if (top >= 9) return 'critical';
  if (top >= 7) return 'high';
  if (top >= 4) return 'medium';
  return 'low';
}

/** "CVSS 3.1 6.5 / 4.0 7.1" or the rating and who gave it. */
export function publishedText(advisory: PlexAdvisory): string {
  if ('cvss' in advisory.published) {
    return `CVSS ${advisory.published.cvss.map((s) => `${s.version} ${s.score}`).join(' / ')}`;
  }
  if ('rating' in advisory.published) return `rated ${advisory.published.rating} by ${advisory.published.by}`;
  return `no published rating (${advisory.published.why})`;
}

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

/** The highest fixed version among the advisories (the one release that fixes all of them). */
export function highestFix(advisories: readonly PlexAdvisory[]): string | undefined {
  let best: string | undefined;
  for (const a of advisories) {
    if (a.fixedIn && (best === undefined || (comparePlexVersions(a.fixedIn, best) ?? 0) > 0))
      best = a.fixedIn;
  }
  return best;
}
