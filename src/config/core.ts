import type { EnvReader } from './reader.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface CoreConfig {
  readonly databasePath: string;
  readonly logLevel: LogLevel;
  readonly logFormat: 'auto' | 'json' | 'pretty';
  readonly scanSchedule: string;
  /** Upper bound for one check; the runner cuts a check off after this. */
  readonly checkTimeoutMs: number;
}

export function readCoreConfig(r: EnvReader): CoreConfig {
  return {
    databasePath:
      r.string('DATABASE_PATH', { default: './data/plex-warden.sqlite' }) ?? './data/plex-warden.sqlite',
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, { default: 'info' }) ?? 'info',
    logFormat: r.oneOf('LOG_FORMAT', ['auto', 'json', 'pretty'] as const, { default: 'auto' }) ?? 'auto',
    scanSchedule: r.cron('SCAN_SCHEDULE', { default: '*/30 * * * *' }) ?? '*/30 * * * *',
    checkTimeoutMs: r.duration('CHECK_TIMEOUT', { default: 10_000, minMs: 100, maxMs: 600_000 }) ?? 10_000,
  };
}
