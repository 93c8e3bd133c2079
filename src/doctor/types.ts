import type { Config } from '../config/index.js';

export type ProbeStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One printed line: what was verified, and what to do when it is not fine. */
export interface ProbeResult {
  readonly status: ProbeStatus;
  /** What was seen, e.g. "signed in as plex-warden#0 (id 1234)". Never a secret. */
  readonly detail: string;
  /** What the admin should do; shown under a warn or fail line. */
  readonly fix?: string;
}

/** Values several probes need (the bot's own user, the Plex client identifier): computed once. */
export interface ProbeShared {
  once<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

export interface ProbeContext {
  readonly config: Config;
  /** Aborted when this probe's time is up. */
  readonly signal: AbortSignal;
  readonly shared: ProbeShared;
}

/**
 * One small doctor check of the installation itself (not of Plex's security: that is `scan`).
 * Probes run in registry order, each bounded in time, and report instead of throwing; a throw is
 * shown as a failure: a SafeError's text, else a generic line whose reference is in the log.
 */
export interface Probe {
  /** Equals the file name in src/doctor. */
  readonly id: string;
  /** Shown at the start of the line, e.g. "Discord token". */
  readonly title: string;
  /** Upper bound for this probe; default 10 s. */
  readonly timeoutMs?: number;
  /** False when the configuration does not use what this probe checks (the line is skipped). */
  applies?(config: Config): boolean;
  run(ctx: ProbeContext): Promise<ProbeResult>;
}

export function ok(detail: string): ProbeResult {
  return { status: 'ok', detail };
}
export function warn(detail: string, fix: string): ProbeResult {
  return { status: 'warn', detail, fix };
}
export function fail(detail: string, fix: string): ProbeResult {
  return { status: 'fail', detail, fix };
}
export function skip(detail: string): ProbeResult {
  return { status: 'skip', detail };
}
