import { AccessLogParser } from './access-log.js';
import type { ParserDefinition } from './types.js';

/** Host-first access logs (`$host $remote_addr - ...`): see AccessLogParser's `vhost` mode. */
export const vhostAccessLogParser = {
  id: 'vhost-access-log',
  kinds: ['nginx-vhost', 'apache-vhost'],
  patterns: ['request'],
  create: () => new AccessLogParser(true),
} as const satisfies ParserDefinition;
