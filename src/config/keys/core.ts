import { LOG_LEVELS } from '../../kernel/log-levels.js';
import { kinds as k } from '../key.js';
import { section } from '../section.js';

export const CORE = section('core', 'Core', {
  DATABASE_PATH: k.string({
    field: 'databasePath',
    default: './data/plex-warden.sqlite',
    description: 'SQLite database file (created with its folder on first start).',
  }),
  LOG_LEVEL: k.enum(LOG_LEVELS, {
    field: 'logLevel',
    default: 'info',
    description: 'error | warn | info | debug',
  }),
  LOG_FORMAT: k.enum(['auto', 'json', 'pretty'], {
    field: 'logFormat',
    default: 'auto',
    description: 'auto (readable on a terminal, JSON otherwise) | json | pretty',
  }),
  SCAN_SCHEDULE: k.cron({
    field: 'scanSchedule',
    default: '*/30 * * * *',
    description: 'When scheduled scans run: cron with 5 fields (or 6 with seconds first).',
  }),
  REPORT_SCHEDULE: k.cron({
    field: 'reportSchedule',
    default: '0 9 * * 1',
    description:
      'When the weekly picture (a PNG of the last 7 days and the exposure grade) is posted to the alert channel:\ncron with 5 fields (or 6 with seconds first), local time; the default is Monday 09:00.',
  }),
  CHECK_TIMEOUT: k.duration({
    field: 'checkTimeoutMs',
    default: '10s',
    min: '100ms',
    max: '10m',
    description:
      'Upper bound for any single check; a check still running after this is reported and cut off.',
  }),
});
