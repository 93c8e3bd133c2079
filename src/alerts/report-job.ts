import { type REST, Routes } from 'discord.js';
import type { AppContext } from '../domain/app-context.js';
import type { JobDefinition } from '../kernel/job.js';
import { REPORT_DEFAULT_DAYS } from '../report/report-data.js';
import { buildWeeklyReport, REPORT_FILE_NAME, type WeeklyReport } from '../report/weekly-report.js';
import { reportEmbed } from './report-embed.js';

/** The embed and its PNG as discord.js sends them: multipart, the JSON in `payload_json`. */
export function reportMessage(report: WeeklyReport) {
  return {
    embeds: [reportEmbed(report)],
    files: [{ name: REPORT_FILE_NAME, data: report.png, contentType: 'image/png' }],
  };
}

/** Builds the picture of the last REPORT_DEFAULT_DAYS days from the database. */
export function currentReport(app: AppContext, days = REPORT_DEFAULT_DAYS): WeeklyReport {
  return buildWeeklyReport({ repos: app.repos, facts: app.addressFacts, now: app.clock.now() }, days);
}

/**
 * REPORT_SCHEDULE's job: the weekly picture in the alert channel. Not through the outbox (its
 * rows are JSON; a PNG does not belong in them): a failed post is retried with backoff by the
 * scheduler and rebuilt from the database, so the retry shows the numbers of its own time.
 */
export function reportJob(app: AppContext, rest: REST, channelId: string): JobDefinition {
  return {
    name: 'report',
    schedule: { kind: 'cron', expression: app.config.core.reportSchedule },
    retry: { firstMs: 60_000, maxMs: 3_600_000 },
    run: async () => {
      const report = currentReport(app);
      const { embeds, files } = reportMessage(report);
      try {
        await rest.post(Routes.channelMessages(channelId), {
          body: { embeds, allowed_mentions: { parse: [] } },
          files,
        });
      } catch (error) {
        app.logger.warn('could not post the weekly report; retrying later', { error });
        return 'retry';
      }
      app.logger.info('weekly report posted', {
        grade: report.data.grade.letter,
        bytes: report.png.length,
        renderMs: Math.round(report.renderMs),
      });
      return 'done';
    },
  };
}
