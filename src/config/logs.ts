import { isAbsolute } from 'node:path';

import { LOG_DETECTOR_IDS, type LogDetectorId } from '../logs/detectors/index.js';
import { LOG_SOURCE_KINDS, type LogSourceKind } from '../logs/parsers/index.js';

import { type EnvReader, splitList } from './reader.js';

// The ids come from the registries, so a parser or detector is added in one place.
export { LOG_DETECTOR_IDS, LOG_SOURCE_KINDS, type LogDetectorId, type LogSourceKind };

export interface LogSourceConfig {
  /** Unique name used in finding keys (`brute-force:<id>:<ip>`); defaults to the kind. */
  readonly id: string;
  readonly kind: LogSourceKind;
  /** Absolute path; for plex a Logs folder or the `Plex Media Server.log` file itself. */
  readonly path: string;
}

/** fail2ban-style settings of one source kind. */
export interface LogDetectorSettings {
  readonly detectors: readonly LogDetectorId[];
  /** Brute force: this many failures from one address ... */
  readonly maxRetry: number;
  /** ... within this window. */
  readonly findTimeMs: number;
  /** Probing: this many distinct 4xx paths from one address within probeFindTimeMs. */
  readonly probePaths: number;
  readonly probeFindTimeMs: number;
  /** Bad Plex token: this many rejected tokens from one outside address within findTimeMs. */
  readonly badTokenCount: number;
  /** Suggested block duration carried by brute-force and probing findings. */
  readonly banDurationMs: number;
}

export interface LogsConfig {
  readonly sources: readonly LogSourceConfig[];
  readonly settings: Readonly<Record<LogSourceKind, LogDetectorSettings>>;
  /** Pause between two review passes inside the bot. */
  readonly reviewIntervalMs: number;
  /** First run on an existing file: read at most this many bytes from its end. */
  readonly backfillBytes: number;
  /** Lines older than this (relative to now) are read but never produce findings. */
  readonly maxAgeMs: number;
  /** How long a finding stays open after the last line that supported it. */
  readonly findingRetentionMs: number;
  /** Time zone of logs written in local time without a zone (Plex, syslog). */
  readonly timeZone: string;
  /** Offsets and detector state are committed at least every this many bytes. */
  readonly commitBytes: number;
  /** Upper bound on addresses tracked per source and detector (memory bound). */
  readonly maxTrackedAddresses: number;
}

const WEB = ['brute-force', 'probing', 'first-seen-remote'] as const satisfies readonly LogDetectorId[];

/** Defaults per kind: Plex clients are chatty, SSH failures are never innocent. */
const DEFAULTS = {
  plex: {
    detectors: LOG_DETECTOR_IDS,
    maxRetry: 20,
    findTimeMs: 600_000,
    probePaths: 30,
    probeFindTimeMs: 600_000,
    badTokenCount: 1,
    banDurationMs: 86_400_000,
  },
  nginx: {
    detectors: WEB,
    maxRetry: 10,
    findTimeMs: 600_000,
    probePaths: 20,
    probeFindTimeMs: 600_000,
    badTokenCount: 1,
    banDurationMs: 86_400_000,
  },
  sshd: {
    detectors: ['brute-force', 'first-seen-remote'],
    maxRetry: 5,
    findTimeMs: 600_000,
    probePaths: 20,
    probeFindTimeMs: 600_000,
    badTokenCount: 1,
    banDurationMs: 86_400_000,
  },
} as const satisfies Record<string, LogDetectorSettings>;

const KIND_DEFAULTS: Record<LogSourceKind, LogDetectorSettings> = {
  plex: DEFAULTS.plex,
  nginx: DEFAULTS.nginx,
  apache: DEFAULTS.nginx,
  npm: DEFAULTS.nginx,
  traefik: DEFAULTS.nginx,
  caddy: DEFAULTS.nginx,
  sshd: DEFAULTS.sshd,
};

export const DEFAULT_PLEX_LOG_FILE = 'Plex Media Server.log';

export function readLogsConfig(r: EnvReader): LogsConfig {
  const sources = readSources(r);
  const globals = readGlobals(r);
  const settings = {} as Record<LogSourceKind, LogDetectorSettings>;
  for (const kind of LOG_SOURCE_KINDS) settings[kind] = readSettings(r, kind, globals);
  return {
    sources,
    settings,
    reviewIntervalMs:
      r.duration('LOG_REVIEW_INTERVAL', { default: 60_000, minMs: 1_000, maxMs: 86_400_000 }) ?? 60_000,
    backfillBytes: readBytes(r, 'LOG_BACKFILL_BYTES', 64 * 1024 * 1024),
    maxAgeMs: r.duration('LOG_MAX_AGE', { default: 86_400_000, minMs: 60_000 }) ?? 86_400_000,
    findingRetentionMs:
      r.duration('LOG_FINDING_RETENTION', { default: 86_400_000, minMs: 60_000 }) ?? 86_400_000,
    timeZone: readTimeZone(r),
    commitBytes: readBytes(r, 'LOG_COMMIT_BYTES', 256 * 1024 * 1024, 1),
    maxTrackedAddresses:
      r.int('LOG_MAX_TRACKED_ADDRESSES', { default: 200_000, min: 100, max: 5_000_000 }) ?? 200_000,
  };
}

function readSources(r: EnvReader): LogSourceConfig[] {
  const raw = r.raw('LOG_SOURCES');
  if (raw === undefined) return [];
  const sources: LogSourceConfig[] = [];
  const expected = `a comma-separated list of [name=]kind:/absolute/path with kind one of ${LOG_SOURCE_KINDS.join(', ')}`;
  for (const item of splitList(raw)) {
    const eq = item.indexOf('=');
    const named = eq > 0 && eq < item.indexOf(':') ? item.slice(0, eq).trim() : undefined;
    const spec = named === undefined ? item : item.slice(eq + 1).trim();
    const colon = spec.indexOf(':');
    const kind = spec.slice(0, colon).trim().toLowerCase();
    const path = spec.slice(colon + 1).trim();
    if (colon <= 0 || !(LOG_SOURCE_KINDS as readonly string[]).includes(kind)) {
      r.problem('LOG_SOURCES', `${expected} (unknown kind in "${item}")`, raw);
      continue;
    }
    if (!isAbsolute(path)) {
      r.problem('LOG_SOURCES', `${expected} (path of "${item}" is not absolute)`, raw);
      continue;
    }
    if (named !== undefined && !/^[a-z0-9][a-z0-9-]{0,31}$/.test(named)) {
      r.problem('LOG_SOURCES', `${expected} (name "${named}" must be lowercase letters, digits and -)`, raw);
      continue;
    }
    let id = named ?? kind;
    if (named === undefined) {
      for (let n = 2; sources.some((s) => s.id === id); n++) id = `${kind}-${n}`;
    } else if (sources.some((s) => s.id === id)) {
      r.problem('LOG_SOURCES', `${expected} (name "${named}" used twice)`, raw);
      continue;
    }
    sources.push({ id, kind: kind as LogSourceKind, path });
  }
  return sources;
}

interface GlobalOverrides {
  readonly maxRetry: number | undefined;
  readonly findTimeMs: number | undefined;
  readonly probePaths: number | undefined;
  readonly probeFindTimeMs: number | undefined;
  readonly badTokenCount: number | undefined;
  readonly banDurationMs: number | undefined;
}

const LIMITS = {
  maxRetry: [1, 100_000],
  probePaths: [2, 10_000],
  badTokenCount: [1, 10_000],
} as const satisfies Record<string, readonly [number, number]>;

function readGlobals(r: EnvReader): GlobalOverrides {
  return {
    maxRetry: r.int('LOG_MAX_RETRY', { min: LIMITS.maxRetry[0], max: LIMITS.maxRetry[1] }),
    findTimeMs: r.duration('LOG_FIND_TIME', { minMs: 1_000 }),
    probePaths: r.int('LOG_PROBE_PATHS', { min: LIMITS.probePaths[0], max: LIMITS.probePaths[1] }),
    probeFindTimeMs: r.duration('LOG_PROBE_FIND_TIME', { minMs: 1_000 }),
    badTokenCount: r.int('LOG_BAD_TOKEN_COUNT', {
      min: LIMITS.badTokenCount[0],
      max: LIMITS.badTokenCount[1],
    }),
    banDurationMs: r.duration('LOG_BAN_DURATION', { minMs: 1_000 }),
  };
}

/** `LOG_MAX_RETRY` applies to every kind; `LOG_MAX_RETRY_SSHD` overrides it for one kind. */
function readSettings(r: EnvReader, kind: LogSourceKind, g: GlobalOverrides): LogDetectorSettings {
  const d = KIND_DEFAULTS[kind];
  const suffix = `_${kind.toUpperCase()}`;
  const int = (key: string, def: number, [min, max]: readonly [number, number]) =>
    r.int(`${key}${suffix}`, { default: def, min, max }) ?? def;
  const duration = (key: string, def: number) =>
    r.duration(`${key}${suffix}`, { default: def, minMs: 1_000 }) ?? def;
  const detectorsRaw = r.list(`LOG_DETECTORS${suffix}`, {
    default: [...d.detectors],
    item: (s) => (LOG_DETECTOR_IDS as readonly string[]).includes(s),
    expected: `a comma-separated list of ${LOG_DETECTOR_IDS.join(', ')}`,
  });
  return {
    detectors: detectorsRaw as LogDetectorId[],
    maxRetry: int('LOG_MAX_RETRY', g.maxRetry ?? d.maxRetry, LIMITS.maxRetry),
    findTimeMs: duration('LOG_FIND_TIME', g.findTimeMs ?? d.findTimeMs),
    probePaths: int('LOG_PROBE_PATHS', g.probePaths ?? d.probePaths, LIMITS.probePaths),
    probeFindTimeMs: duration('LOG_PROBE_FIND_TIME', g.probeFindTimeMs ?? d.probeFindTimeMs),
    badTokenCount: int('LOG_BAD_TOKEN_COUNT', g.badTokenCount ?? d.badTokenCount, LIMITS.badTokenCount),
    banDurationMs: duration('LOG_BAN_DURATION', g.banDurationMs ?? d.banDurationMs),
  };
}

const BYTE_UNITS = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const satisfies Record<string, number>;

function readBytes(r: EnvReader, key: string, def: number, min = 0): number {
  return (
    r.parse(key, 'a size such as 0, 512k, 64m or 2g', { default: def }, (raw) => {
      const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(raw);
      if (!m) return undefined;
      const n = Number(m[1]) * BYTE_UNITS[(m[2] ?? '').toLowerCase() as keyof typeof BYTE_UNITS];
      return Number.isSafeInteger(n) && n >= min ? n : undefined;
    }) ?? def
  );
}

function readTimeZone(r: EnvReader): string {
  const system = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  return (
    r.parse('LOG_TIMEZONE', 'an IANA time zone such as Europe/Berlin or UTC', { default: system }, (raw) => {
      try {
        return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone;
      } catch {
        return undefined;
      }
    }) ?? system
  );
}
