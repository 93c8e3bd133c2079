import { renderPng } from './render-png.js';
import { reportSvg } from './report-chart.js';
import { buildReportData, type ReportData, type ReportDeps } from './report-data.js';

export const REPORT_FILE_NAME = 'plex-warden-report.png';

/**
 * Discord's default upload limit per file, 10 MiB (https://discord.com/developers/docs/reference#uploading-files).
 * The picture is a few tens of KiB; a bigger one is a bug, refused before it is sent.
 */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface WeeklyReport {
  readonly data: ReportData;
  readonly png: Buffer;
  readonly renderMs: number;
}

/** The numbers, the SVG and the PNG; no Discord here (the CLI path uses it as is). */
export function buildWeeklyReport(deps: ReportDeps, days: number): WeeklyReport {
  const started = performance.now();
  const data = buildReportData(deps, days);
  const png = renderPng(reportSvg(data));
  if (png.length > MAX_ATTACHMENT_BYTES)
    throw new Error(`the report PNG is ${png.length} bytes, over Discord's ${MAX_ATTACHMENT_BYTES}`);
  return { data, png, renderMs: performance.now() - started };
}
