import { parseArgs } from 'node:util';
import { createAppContext } from '../app/app-context.js';
import { type FindingDraft, severityRank } from '../domain/finding.js';
import type { SourceFailure } from '../logs/log-reviewer.js';
import { recordReview } from '../logs/scheduled-review.js';
import type { SourcePassResult } from '../logs/source-review.js';
import { type CliModule, EXIT } from './types.js';

export const cli: CliModule = {
  async run(args, config, io) {
    if (!config) return EXIT.usage;
    const { values } = parseArgs({
      args: [...args],
      options: { json: { type: 'boolean', default: false } },
      strict: true,
    });
    if (config.logs.sources.length === 0) {
      io.stderr.write(
        'No log sources: set LOG_SOURCES (see .env.example), e.g. nginx:/var/log/nginx/access.log\n',
      );
      return EXIT.usage;
    }
    const ctx = createAppContext(config);
    try {
      const result = await ctx.reviewer.review();
      // The same lifecycle as the bot: the next `scan`/bot digest knows what was already seen.
      recordReview(ctx.repos, result, ctx.clock.now());
      const findings = [...result.findings].sort(
        (a, b) => severityRank(b.severity) - severityRank(a.severity),
      );
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ startedAt: new Date(result.startedAt).toISOString(), durationMs: Math.round(result.durationMs), sources: result.sources, findings }, null, 2)}\n`,
        );
      } else {
        io.stdout.write(formatReview(result.sources, findings));
      }
      if (result.sources.some((s) => s.status === 'error')) return EXIT.failure;
      return findings.some((f) => severityRank(f.severity) >= severityRank('medium'))
        ? EXIT.findings
        : EXIT.ok;
    } finally {
      ctx.close();
    }
  },
};

function formatReview(
  sources: readonly (SourcePassResult | SourceFailure)[],
  findings: readonly FindingDraft[],
): string {
  const lines: string[] = [];
  for (const s of sources) {
    if (s.status === 'error') {
      lines.push(`${s.sourceId} (${s.kind}) ${s.path}: ${s.message}`);
      continue;
    }
    if (s.status === 'missing') {
      lines.push(`${s.sourceId} (${s.kind}) ${s.path}: file not found`);
      continue;
    }
    if (s.status === 'not-a-file') {
      lines.push(`${s.sourceId} (${s.kind}): ${s.problem ?? `${s.path} is not a regular file`}`);
      continue;
    }
    const notes = [
      s.firstRun ? 'first run: baseline learned' : '',
      s.rotated ? 'rotated' : '',
      s.truncated ? 'truncated' : '',
    ]
      .filter((n) => n !== '')
      .join(', ');
    lines.push(
      `${s.sourceId} (${s.kind}) ${s.path}: ${s.lines} new lines, ${s.matched} matched (${s.routine} routine), ${s.skipped} skipped${notes ? `; ${notes}` : ''}`,
    );
  }
  lines.push('');
  if (findings.length === 0) {
    lines.push('No open log findings.');
  } else {
    for (const f of findings) {
      lines.push(`${f.severity.toUpperCase().padEnd(8)}  ${f.title}`);
      lines.push(`          evidence: ${f.evidence}`);
      lines.push(`          fix:      ${f.fix}`);
    }
    lines.push('', `${findings.length} open log finding${findings.length === 1 ? '' : 's'}.`);
  }
  return `${lines.join('\n')}\n`;
}
