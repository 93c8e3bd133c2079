import { parseArgs } from 'node:util';
import { createAppContext } from '../app/app-context.js';
import { severityRank } from '../domain/finding.js';
import { UserError } from '../kernel/errors.js';
import { type CliModule, EXIT } from './types.js';

export const cli: CliModule = {
  async run(args, config, io) {
    if (!config) return EXIT.usage;
    const { values } = parseArgs({
      args: [...args],
      options: { json: { type: 'boolean', default: false }, check: { type: 'string', multiple: true } },
      strict: true,
    });
    const ctx = createAppContext(config);
    try {
      const result = await ctx.runner.run({
        trigger: 'cli',
        ...(values.check ? { checkIds: values.check } : {}),
      });
      const findings = [...result.findings].sort(
        (a, b) => severityRank(b.severity) - severityRank(a.severity),
      );
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify(
            {
              runId: result.runId,
              startedAt: new Date(result.startedAt).toISOString(),
              durationMs: result.finishedAt - result.startedAt,
              checks: result.checks,
              findings: findings.map(({ fingerprint, checkId, severity, title, evidence, fix, action }) => ({
                fingerprint,
                checkId,
                severity,
                title,
                evidence,
                fix,
                ...(action ? { action } : {}),
              })),
            },
            null,
            2,
          )}\n`,
        );
      } else {
        io.stdout.write(formatTable(result.checks.length, findings));
      }
      return findings.some((f) => severityRank(f.severity) >= severityRank('medium'))
        ? EXIT.findings
        : EXIT.ok;
    } catch (error) {
      if (error instanceof UserError) {
        io.stderr.write(`${error.message}\n`);
        return EXIT.usage;
      }
      throw error;
    } finally {
      ctx.close();
    }
  },
};

function formatTable(
  checkCount: number,
  findings: readonly { severity: string; checkId: string; title: string; evidence: string; fix: string }[],
): string {
  const ran = `${checkCount} check${checkCount === 1 ? '' : 's'} ran`;
  if (findings.length === 0) return `${ran}: no findings.\n`;
  const rows = findings.map((f) => [f.severity.toUpperCase(), f.checkId, f.title]);
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0), i === 0 ? 8 : 5));
  const lines = [`${'SEVERITY'.padEnd(widths[0] ?? 8)}  ${'CHECK'.padEnd(widths[1] ?? 5)}  FINDING`];
  findings.forEach((f, i) => {
    const row = rows[i] ?? [];
    lines.push(
      `${(row[0] ?? '').padEnd(widths[0] ?? 8)}  ${(row[1] ?? '').padEnd(widths[1] ?? 5)}  ${f.title}`,
    );
    lines.push(`${' '.repeat((widths[0] ?? 8) + (widths[1] ?? 5) + 4)}evidence: ${f.evidence}`);
    lines.push(`${' '.repeat((widths[0] ?? 8) + (widths[1] ?? 5) + 4)}fix:      ${f.fix}`);
  });
  lines.push('', `${ran}: ${findings.length} finding${findings.length === 1 ? '' : 's'}.`);
  return `${lines.join('\n')}\n`;
}
