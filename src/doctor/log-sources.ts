/**
 * log-sources — every LOG_SOURCES file can be opened for reading by this user.
 * Why: an unreadable log means the review silently sees nothing (no brute force, no probing).
 * Typical causes: the path is wrong, or /var/log/auth.log and nginx logs need the adm group.
 */
import { closeSync, openSync } from 'node:fs';
import { currentFile } from '../logs/source-files.js';
import { fail, ok, type Probe } from './types.js';

export const logSources: Probe = {
  id: 'log-sources',
  title: 'Log sources',
  applies: (config) => config.logs.sources.length > 0,
  async run(ctx) {
    const problems: string[] = [];
    for (const source of ctx.config.logs.sources) {
      const path = currentFile(source);
      try {
        closeSync(openSync(path, 'r'));
      } catch (error) {
        const code = (error as { code?: string }).code;
        const why =
          code === 'ENOENT'
            ? 'does not exist'
            : code === 'EACCES' || code === 'EPERM'
              ? 'is not readable by this user'
              : `cannot be opened (${code ?? 'error'})`;
        problems.push(`${source.id}: ${path} ${why}`);
      }
    }
    if (problems.length > 0) {
      return fail(
        problems.join('; '),
        'Fix the path in LOG_SOURCES, or let the service user read it (e.g. SupplementaryGroups=adm in the systemd unit, a read-only volume in compose.yaml).',
      );
    }
    const names = ctx.config.logs.sources.map((s) => `${s.id} (${s.kind})`).join(', ');
    return ok(`readable: ${names}`);
  },
};
