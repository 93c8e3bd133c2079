/**
 * log-sources — can the bot read every LOG_SOURCES entry? A source it cannot read is a blind
 * spot: nothing is reviewed there and no alert says so until the review reports the error.
 * A FIFO, a device or a folder where a log file should be is named as such: the review never
 * opens it (a FIFO would block the open).
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogSourceConfig } from '../config/logs.js';
import { describeNotAFile } from '../logs/acquire/source-files.js';
import { fail, ok, type Probe } from './types.js';

/** A plex source may name the Logs folder; the file the review reads first is this one. */
const PLEX_MAIN_LOG = 'Plex Media Server.log';

async function fileProblem(source: LogSourceConfig): Promise<string | undefined> {
  let path = source.path;
  try {
    let st = await stat(path);
    if (source.kind === 'plex' && st.isDirectory()) {
      path = join(source.path, PLEX_MAIN_LOG);
      st = await stat(path);
    }
    if (!st.isFile()) return `${source.id}: ${path} is ${describeNotAFile(st)}, not a log file (not read)`;
    await access(path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    return `${source.id}: cannot read ${path} (${code})`;
  }
}

/** Runs journalctl as the review will, for the newest entry only, and reports what it says. */
function journalProblem(source: LogSourceConfig, signal: AbortSignal): Promise<string | undefined> {
  const spec = source.journal;
  if (!spec) return Promise.resolve(`${source.id}: no journal match`);
  const args = ['--no-pager', '-n', '1', '-o', 'json', '--output-fields=MESSAGE'];
  if (spec.path !== undefined)
    args.push(spec.path.endsWith('.journal') ? `--file=${spec.path}` : `--directory=${spec.path}`);
  return new Promise((resolve) => {
    execFile('journalctl', args, { signal, maxBuffer: 1024 * 1024 }, (error, _out, stderr) => {
      const words = stderr.trim().split('\n')[0] ?? '';
      if (error) {
        const code = (error as { code?: string | number }).code;
        resolve(
          code === 'ENOENT'
            ? `${source.id}: journalctl is not installed`
            : `${source.id}: journalctl failed${words ? `: ${words}` : ''}`,
        );
        // journalctl(1): without the systemd-journal (or adm) group a user sees only its own entries.
      } else if (/not seeing messages from other users/i.test(stderr)) {
        resolve(`${source.id}: journalctl shows only the bot user's own entries (${words})`);
      } else resolve(undefined);
    });
  });
}

export const logSources: Probe = {
  id: 'log-sources',
  title: 'Log sources',
  applies: (config) => config.logs.sources.length > 0,
  async run(ctx) {
    const problems: string[] = [];
    for (const source of ctx.config.logs.sources) {
      const problem =
        source.via === 'journald' ? await journalProblem(source, ctx.signal) : await fileProblem(source);
      if (problem !== undefined) problems.push(problem);
    }
    const total = ctx.config.logs.sources.length;
    if (problems.length === 0) return ok(`${total} source${total === 1 ? '' : 's'} readable`);
    return fail(
      problems.join('; '),
      'Fix the path in LOG_SOURCES (a regular log file, not a FIFO, device or folder), or give the bot read access (e.g. add its user to the adm group for /var/log, systemd-journal for the journal).',
    );
  },
};
