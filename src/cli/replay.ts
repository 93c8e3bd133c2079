import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LOG_SOURCE_KINDS, type LogSourceKind } from '../config/logs.js';
import { severityRank } from '../domain/severity.js';
import { UserError } from '../kernel/errors.js';
import { thousands } from '../kernel/thousands.js';
import { type ReplayResult, replayFile } from '../logs/replay.js';
import { type CliModule, EXIT } from './types.js';

const TOP = 20;

/** Dry run of one log file, like fail2ban-regex: nothing is read from or written to the database. */
export const cli: CliModule = {
  async run(args, config, io) {
    if (!config) return EXIT.usage;
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        kind: { type: 'string' },
        json: { type: 'boolean', default: false },
        // FILE is a Docker json-file log, or a journal file or folder (journalctl --file/--directory).
        docker: { type: 'boolean', default: false },
        journal: { type: 'boolean', default: false },
        match: { type: 'string', multiple: true },
      },
      allowPositionals: true,
      strict: true,
    });
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new UserError('Give exactly one log file.');
    const kind = values.kind;
    if (!kind || !(LOG_SOURCE_KINDS as readonly string[]).includes(kind)) {
      throw new UserError(`--kind must be one of ${LOG_SOURCE_KINDS.join(', ')}.`);
    }
    if (values.docker && values.journal) throw new UserError('Give --docker or --journal, not both.');
    const matches = values.match ?? [];
    if (matches.length > 0 && !values.journal) throw new UserError('--match goes with --journal.');
    if (matches.some((m) => !/^[A-Za-z0-9_.@-]{1,255}$/.test(m)))
      throw new UserError('--match takes a unit (ssh.service) or a process name (sshd).');
    const result = await replayFile(
      resolve(file),
      kind as LogSourceKind,
      { logs: config.logs, network: config.network, now: () => Date.now() },
      values.journal ? { via: 'journald', matches } : values.docker ? { via: 'docker' } : {},
    );
    if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else io.stdout.write(formatReplay(result));
    return result.findings.some((f) => severityRank(f.severity) >= severityRank('medium'))
      ? EXIT.findings
      : EXIT.ok;
  },
};

function formatReplay(r: ReplayResult): string {
  const rate = r.durationMs > 0 ? Math.round((r.lines / r.durationMs) * 1000) : r.lines;
  const lines = [
    `File:    ${r.path} (${r.kind})`,
    `Lines:   ${r.lines} read, ${r.matched} matched (${r.routine} routine, allow-listed), ${r.skipped} skipped`,
    `Time:    ${Math.round(r.durationMs)} ms (${thousands(rate)} lines/s)`,
    '',
    'Lines matched per pattern:',
    ...r.patterns.map((p) => `  ${p.pattern.padEnd(24)} ${String(p.lines).padStart(10)}`),
    '',
  ];
  if (r.addresses.length > 0) {
    lines.push(
      `Addresses with failures or 4xx (${r.addresses.length}; top ${Math.min(TOP, r.addresses.length)}):`,
    );
    lines.push(`  ${'ADDRESS'.padEnd(40)} FAILURES  4XX  BAD-TOKENS`);
    for (const a of r.addresses.slice(0, TOP)) {
      lines.push(
        `  ${a.ip.padEnd(40)} ${String(a.failures).padStart(8)}  ${String(a.clientErrors).padStart(3)}  ${String(a.badTokens).padStart(10)}`,
      );
    }
    lines.push('');
  }
  if (r.findings.length === 0) {
    lines.push('Would flag: nothing.');
  } else {
    lines.push(`Would flag (${r.findings.length}; first-seen assumes nothing is known yet):`);
    for (const f of r.findings) lines.push(`  ${f.severity.toUpperCase().padEnd(8)}  ${f.title}`);
  }
  return `${lines.join('\n')}\n`;
}
