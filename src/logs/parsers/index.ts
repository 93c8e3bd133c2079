import type { LogSourceKind } from '../../config/logs.js';
import { accessLogParser } from './access-log.js';
import { caddyParser } from './caddy.js';
import { npmParser } from './npm.js';
import { plexParser } from './plex.js';
import { sshdParser } from './sshd.js';
import type { LineParser, ParserDefinition, ParserOptions } from './types.js';

/** Every parser; each source kind must be served by exactly one (a test checks it). */
export const parsers: readonly ParserDefinition[] = [
  plexParser,
  accessLogParser,
  npmParser,
  caddyParser,
  sshdParser,
];

export function createParser(kind: LogSourceKind, options: ParserOptions): LineParser {
  const definition = parsers.find((p) => p.kinds.includes(kind));
  if (!definition) throw new Error(`No parser for log kind ${kind}`);
  return definition.create(options);
}
