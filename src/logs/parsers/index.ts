import { accessLogParser } from './access-log.js';
import { caddyParser } from './caddy.js';
import { nginxErrorParser } from './nginx-error.js';
import { npmParser } from './npm.js';
import { npmplusParser } from './npmplus.js';
import { plexParser } from './plex.js';
import { sshdParser } from './sshd.js';
import { traefikJsonParser } from './traefik-json.js';
import type { LineParser, ParserDefinition, ParserOptions } from './types.js';
import { vhostAccessLogParser } from './vhost-access-log.js';

/**
 * Every parser, under its file name; each `LOG_SOURCES` kind is served by exactly one, and the
 * config's list of kinds is derived from here (a test checks both).
 */
export const parsers = [
  plexParser,
  accessLogParser,
  vhostAccessLogParser,
  npmParser,
  npmplusParser,
  caddyParser,
  nginxErrorParser,
  traefikJsonParser,
  sshdParser,
] as const satisfies readonly ParserDefinition[];

export type LogSourceKind = (typeof parsers)[number]['kinds'][number];
export const LOG_SOURCE_KINDS: readonly LogSourceKind[] = parsers.flatMap((p) => p.kinds);

export function createParser(kind: LogSourceKind, options: ParserOptions): LineParser {
  const definition = parsers.find((p) => (p.kinds as readonly string[]).includes(kind));
  if (!definition) throw new Error(`No parser for log kind ${kind}`);
  return definition.create(options);
}
