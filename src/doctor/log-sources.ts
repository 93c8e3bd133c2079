/**
 * log-sources — can the bot read every LOG_SOURCES entry? A source it cannot read is a blind
 * spot: nothing is reviewed there and no alert says so until the review reports the error.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Probe } from './types.js';

/** A plex source may name the Logs folder; the file the review reads first is this one. */
const PLEX_MAIN_LOG = 'Plex Media Server.log';

export const logSources: Probe = {
  id: 'log-sources',
  title: 'Log sources',
  applies: (config) => config.logs.sources.length > 0,
  async run(ctx) {
    const problems: string[] = [];
    for (const source of ctx.config.logs.sources) {
      let path = source.path;
      try {
        if (source.kind === 'plex' && (await stat(source.path)).isDirectory())
          path = join(source.path, PLEX_MAIN_LOG);
        await access(path, constants.R_OK);
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'error';
        problems.push(`${source.id}: cannot read ${path} (${code})`);
      }
    }
    const total = ctx.config.logs.sources.length;
    if (problems.length === 0) return ok(`${total} source${total === 1 ? '' : 's'} readable`);
    return fail(
      problems.join('; '),
      'Fix the path in LOG_SOURCES, or give the bot read access (e.g. add its user to the adm group for /var/log).',
    );
  },
};
