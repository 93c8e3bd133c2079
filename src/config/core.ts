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

/** Every value of this section is read as is: the table's `field`s make the whole object. */
export function readCoreConfig(r: EnvReader): CoreConfig {
  return r.fields(CORE);
}
