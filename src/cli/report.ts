import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createAppContext } from '../app/app-context.js';
import { UserError } from '../kernel/errors.js';
import { REPORT_DEFAULT_DAYS, REPORT_MAX_DAYS, REPORT_MIN_DAYS } from '../report/report-data.js';
import { buildWeeklyReport } from '../report/weekly-report.js';
import { type CliModule, EXIT } from './types.js';

/** The weekly picture to a file, from the database alone: no Discord, no network. */
export const cli: CliModule = {
  async run(args, config, io) {
    if (!config) return EXIT.usage;
    const { values } = parseArgs({
      args: [...args],
      options: {
        out: { type: 'string' },
        days: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!values.out) throw new UserError('--out FILE.png is required.');
    const days = values.days === undefined ? REPORT_DEFAULT_DAYS : Number(values.days);
    if (!Number.isInteger(days) || days < REPORT_MIN_DAYS || days > REPORT_MAX_DAYS)
      throw new UserError(`--days must be a whole number from ${REPORT_MIN_DAYS} to ${REPORT_MAX_DAYS}.`);
    const ctx = createAppContext(config);
    try {
      const report = buildWeeklyReport(
        { repos: ctx.repos, facts: ctx.addressFacts, now: ctx.clock.now() },
        days,
      );
      writeFileSync(values.out, report.png);
      if (values.json)
        io.stdout.write(
          `${JSON.stringify({ file: values.out, bytes: report.png.length, ...report.data }, null, 2)}\n`,
        );
      else
        io.stdout.write(
          `Exposure grade ${report.data.grade.letter} (${report.data.grade.reason}). Wrote ${values.out} (${report.png.length} bytes, ${days} day${days === 1 ? '' : 's'}).\n`,
        );
      return EXIT.ok;
    } finally {
      ctx.close();
    }
  },
};
