import type { LogLevel } from '../kernel/log-levels.js';
import { CORE } from './keys/index.js';
import type { EnvReader } from './reader.js';

export type { LogLevel } from '../kernel/log-levels.js';

export interface CoreConfig {
  readonly databasePath: string;
  readonly logLevel: LogLevel;
  readonly logFormat: 'auto' | 'json' | 'pretty';
  readonly scanSchedule: string;
  /** When the weekly picture is posted (cron, local time). */
  readonly reportSchedule: string;
  /** Upper bound for one check; the runner cuts a check off after this. */
  readonly checkTimeoutMs: number;
}

export function readCoreConfig(r: EnvReader): CoreConfig {
  const k = CORE.keys;
  return {
    databasePath: r.value(k.DATABASE_PATH),
    logLevel: r.value(k.LOG_LEVEL),
    logFormat: r.value(k.LOG_FORMAT),
    scanSchedule: r.value(k.SCAN_SCHEDULE),
    reportSchedule: r.value(k.REPORT_SCHEDULE),
    checkTimeoutMs: r.value(k.CHECK_TIMEOUT),
  };
}
