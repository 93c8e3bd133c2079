import { isAbsolute } from 'node:path';
import { LOG_DETECTOR_IDS, type LogDetectorId } from '../logs/detectors/index.js';
import { LOG_SOURCE_KINDS, type LogSourceKind } from '../logs/parsers/index.js';
import { type Key, Rejected, splitList } from './key.js';
import { LOGS } from './keys/index.js';
import type { EnvReader } from './reader.js';

// The ids come from the registries, so a parser or detector is added in one place.
export { LOG_DETECTOR_IDS, LOG_SOURCE_KINDS, type LogDetectorId, type LogSourceKind };

export interface LogSourceConfig {
  /** Unique name used in finding keys (`brute-force:<id>:<ip>`); defaults to the kind. */
  readonly id: string;
  readonly kind: LogSourceKind;
  /**
   * Absolute path; for plex a Logs folder or the `Plex Media Server.log` file itself. For a
   * journald source, the spec as written (`journald:sshd`), shown in results.
   */
  readonly path: string;
  /**
   * How the lines arrive when not as a plain file: `docker`, a container's json-file log whose
   * `log` fields hold the lines; `journald`, entries read with journalctl.
   */
  readonly via?: 'docker' | 'journald';
  /** For `via: journald`: what to read and from which journal. */
  readonly journal?: JournalSpec;
}

export interface JournalSpec {
  /**
   * Units (`ssh.service`) or process names (`sshd`); an entry matching any of them is read.
   * Matched on journald's trusted fields `_SYSTEMD_UNIT` and `_COMM`, which a client cannot
   * set (systemd.journal-fields(7)), never on `SYSLOG_IDENTIFIER`, which any local user can
   * choose with logger(1).
   */
  readonly matches: readonly string[];
  /** A journal file (`--file`) or folder (`--directory`) instead of the system journal. */
  readonly path?: string;
}

/** systemd.unit(5): unit names are letters, digits and `:-_.\\@`; we take no `:` or `\\`. */
const JOURNAL_MATCH = /^[A-Za-z0-9_.@-]{1,255}$/;

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
  /** Slow brute force: this many failures from one address or IPv6 range ... */
  readonly slowMaxRetry: number;
  /** ... within this longer window. */
  readonly slowFindTimeMs: number;
  /** IPv6 addresses are also counted per network of this length (128: off). */
  readonly ipv6Prefix: number;
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
  /**
   * Time zone of logs written in local time without a zone (Plex, syslog); undefined: the
   * system's, looked up when a line first needs it.
   */
  readonly timeZone: string | undefined;
  /** Offsets and detector state are committed at least every this many bytes. */
  readonly commitBytes: number;
  /** Upper bound on addresses tracked per source and detector (memory bound). */
  readonly maxTrackedAddresses: number;
  /** The Plex owner account's name in `Signed-in Token (NAME)`; '' when not configured. */
  readonly plexOwner: string;
  /** A pass commits once this many per-address rows are pending (memory and commit-time bound). */
  readonly commitRows: number;
  /** Per-address counts kept per source, and how long after an address was last seen. */
  readonly countsMaxAddresses: number;
  readonly countsRetentionMs: number;
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
    slowMaxRetry: 80,
    slowFindTimeMs: 86_400_000,
  },
  nginx: {
    detectors: WEB,
    maxRetry: 10,
    findTimeMs: 600_000,
    probePaths: 20,
    probeFindTimeMs: 600_000,
    badTokenCount: 1,
    banDurationMs: 86_400_000,
    slowMaxRetry: 40,
    slowFindTimeMs: 86_400_000,
  },
  sshd: {
    detectors: ['brute-force', 'first-seen-remote'],
    maxRetry: 5,
    findTimeMs: 600_000,
    probePaths: 20,
    probeFindTimeMs: 600_000,
    badTokenCount: 1,
    banDurationMs: 86_400_000,
    slowMaxRetry: 20,
    slowFindTimeMs: 86_400_000,
  },
} as const satisfies Record<string, Omit<LogDetectorSettings, 'ipv6Prefix'>>;

const KIND_DEFAULTS: Record<LogSourceKind, Omit<LogDetectorSettings, 'ipv6Prefix'>> = {
  plex: DEFAULTS.plex,
  nginx: DEFAULTS.nginx,
  'nginx-vhost': DEFAULTS.nginx,
  apache: DEFAULTS.nginx,
  'apache-vhost': DEFAULTS.nginx,
  npm: DEFAULTS.nginx,
  npmplus: DEFAULTS.nginx,
  traefik: DEFAULTS.nginx,
  caddy: DEFAULTS.nginx,
  'nginx-error': DEFAULTS.nginx,
  'traefik-json': DEFAULTS.nginx,
  sshd: DEFAULTS.sshd,
};

export const DEFAULT_PLEX_LOG_FILE = 'Plex Media Server.log';

export function readLogsConfig(r: EnvReader): LogsConfig {
  const globals = readGlobals(r);
  const settings = {} as Record<LogSourceKind, LogDetectorSettings>;
  for (const kind of LOG_SOURCE_KINDS) settings[kind] = readSettings(r, kind, globals);
  return { ...r.fields(LOGS), settings };
}

/**
 * The LOG_SOURCES parser (its table row is in keys.ts): every bad item is named, and unnamed
 * sources of one kind are numbered (`nginx`, `nginx-2`).
 */
export function parseLogSources(raw: string): LogSourceConfig[] | Rejected {
  const sources: LogSourceConfig[] = [];
  const bad: string[] = [];
  for (const item of splitList(raw)) {
    const eq = item.indexOf('=');
    const named = eq > 0 && eq < item.indexOf(':') ? item.slice(0, eq).trim() : undefined;
    const spec = named === undefined ? item : item.slice(eq + 1).trim();
    const parsed = parseSpec(spec);
    if (typeof parsed === 'string') {
      bad.push(
        parsed === 'path is not absolute' ? `path of "${item}" is not absolute` : `${parsed} in "${item}"`,
      );
      continue;
    }
    const kind = parsed.kind;
    if (named !== undefined && !/^[a-z0-9][a-z0-9-]{0,31}$/.test(named)) {
      bad.push(`name "${named}" must be lowercase letters, digits and -`);
      continue;
    }
    let id = named ?? kind;
    if (named === undefined) {
      for (let n = 2; sources.some((s) => s.id === id); n++) id = `${kind}-${n}`;
    } else if (sources.some((s) => s.id === id)) {
      bad.push(`name "${named}" used twice`);
      continue;
    }
    sources.push({ id, ...parsed });
  }
  return bad.length > 0 ? new Rejected(...bad) : sources;
}

const isKind = (s: string): s is LogSourceKind => (LOG_SOURCE_KINDS as readonly string[]).includes(s);

/**
 * One source spec without its name; a string says what is wrong. `kind:/path` (a file),
 * `kind:docker:/path` (a container's json-file log), `[kind:]journald:match[+match][:/journal]`.
 */
function parseSpec(spec: string): Omit<LogSourceConfig, 'id'> | string {
  const colon = spec.indexOf(':');
  if (colon <= 0) return 'unknown kind';
  const head = spec.slice(0, colon).trim().toLowerCase();
  const rest = spec.slice(colon + 1).trim();
  // `journald:sshd` alone: sshd is the service here that may log to the journal only.
  if (head === 'journald') return parseJournal('sshd', rest, spec);
  if (!isKind(head)) return 'unknown kind';
  const via = /^(docker|journald):/i.exec(rest);
  if (via?.[1]?.toLowerCase() === 'journald') return parseJournal(head, rest.slice(via[0].length), spec);
  const path = via ? rest.slice(via[0].length).trim() : rest;
  if (!isAbsolute(path)) return 'path is not absolute';
  return via ? { kind: head, path, via: 'docker' } : { kind: head, path };
}

function parseJournal(kind: LogSourceKind, rest: string, spec: string): Omit<LogSourceConfig, 'id'> | string {
  // Unit names hold no `/` (systemd.unit(5)), so `:/` starts the journal path.
  const at = rest.indexOf(':/');
  const matchText = at === -1 ? rest : rest.slice(0, at);
  const path = at === -1 ? undefined : rest.slice(at + 1).trim();
  const matches = matchText.split('+').map((m) => m.trim());
  if (matches.some((m) => !JOURNAL_MATCH.test(m))) return 'a journald match must be a unit or process name';
  return {
    kind,
    path: spec,
    via: 'journald',
    journal: path === undefined ? { matches } : { matches, path },
  };
}

type Thresholds = Omit<LogDetectorSettings, 'detectors' | 'ipv6Prefix'>;

/**
 * Each threshold's key: its global value is the default of its per-kind keys. A function,
 * because the key table imports this module (LOG_SOURCES' parser).
 */
function thresholdKeys(): [keyof Thresholds, Key<number, false>][] {
  const keys = {
    maxRetry: LOGS.keys.LOG_MAX_RETRY,
    findTimeMs: LOGS.keys.LOG_FIND_TIME,
    probePaths: LOGS.keys.LOG_PROBE_PATHS,
    probeFindTimeMs: LOGS.keys.LOG_PROBE_FIND_TIME,
    badTokenCount: LOGS.keys.LOG_BAD_TOKEN_COUNT,
    banDurationMs: LOGS.keys.LOG_BAN_DURATION,
    slowMaxRetry: LOGS.keys.LOG_SLOW_MAX_RETRY,
    slowFindTimeMs: LOGS.keys.LOG_SLOW_FIND_TIME,
  } as const satisfies { readonly [F in keyof Thresholds]: Key<number, false> };
  // Object.entries widens the names to string; `satisfies` above checks they are exactly these.
  return Object.entries(keys) as [keyof Thresholds, Key<number, false>][];
}

/** The global keys, read once. */
function readGlobals(r: EnvReader): Partial<Thresholds> {
  const out: { -readonly [F in keyof Thresholds]?: number } = {};
  for (const [field, key] of thresholdKeys()) out[field] = r.value(key);
  return out;
}

/** `LOG_MAX_RETRY` applies to every kind; `LOG_MAX_RETRY_SSHD` overrides it for one kind. */
function readSettings(r: EnvReader, kind: LogSourceKind, g: Partial<Thresholds>): LogDetectorSettings {
  const d = KIND_DEFAULTS[kind];
  const detectors = r.perKind(LOGS.keys.LOG_DETECTORS, kind, [...d.detectors]);
  const thresholds: { -readonly [F in keyof Thresholds]: number } = { ...d };
  for (const [field, key] of thresholdKeys()) thresholds[field] = r.perKind(key, kind, g[field] ?? d[field]);
  return { ...thresholds, detectors, ipv6Prefix: r.value(LOGS.keys.LOG_IPV6_PREFIX) };
}
