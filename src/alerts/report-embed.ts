import type { APIEmbed } from 'discord.js';
import { GRADE_COLOUR } from '../report/exposure-grade.js';
import { REPORT_FILE_NAME, type WeeklyReport } from '../report/weekly-report.js';

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** The embed the PNG is attached to: the grade and the totals in words, the chart as its image. */
export function reportEmbed(report: WeeklyReport): APIEmbed {
  const { data } = report;
  const failures = sum(data.sources.map((s) => sum(s.failures)));
  const clientErrors = sum(data.sources.map((s) => sum(s.clientErrors)));
  const open = Object.values(data.openBySeverity).reduce((a, b) => a + b, 0);
  const lines = [
    `**Exposure grade ${data.grade.letter}** · ${data.grade.reason}`,
    `${failures} failed sign-in${failures === 1 ? '' : 's'} and ${clientErrors} 4xx answer${clientErrors === 1 ? '' : 's'} from ${data.sources.length} source${data.sources.length === 1 ? '' : 's'}`,
    `${sum(data.bansMade)} ban${sum(data.bansMade) === 1 ? '' : 's'} made, ${sum(data.bansExpired)} expired · ${sum(data.remoteStreams)} remote stream${sum(data.remoteStreams) === 1 ? '' : 's'} seen · ${open} finding${open === 1 ? '' : 's'} open`,
  ];
  return {
    title: `The last ${data.days.length} day${data.days.length === 1 ? '' : 's'}`,
    description: lines.join('\n'),
    color: GRADE_COLOUR[data.grade.letter],
    image: { url: `attachment://${REPORT_FILE_NAME}` },
    timestamp: new Date(data.to).toISOString(),
  };
}
