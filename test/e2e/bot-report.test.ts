import { describe, expect, it } from 'vitest';
import { reportJob } from '../../src/alerts/report-job.js';
import type { Check } from '../../src/checks/types.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/report/report-chart.js';
import { REPORT_FILE_NAME } from '../../src/report/weekly-report.js';
import { useBotLab } from '../harness/bot-lab.js';
import { pngSize } from '../harness/png-size.js';
import { seedFacts, seedReportDatabase } from '../harness/report-seed.js';
import { TEST_IDS } from '../harness/test-env.js';

interface MessageBody {
  embeds?: { title?: string; description?: string; image?: { url: string } }[];
}

describe('the weekly picture end to end (real discord.js against the fake Discord)', () => {
  const lab = useBotLab();

  it('/report days:3 answers with the embed and the PNG as a multipart attachment', async () => {
    const { app } = await lab.start({ overrides: { addressFacts: seedFacts } });
    seedReportDatabase(app.repos, app.clock.now());
    const { token } = lab.discord.interaction({
      name: 'report',
      userId: TEST_IDS.approverUser,
      options: [{ name: 'days', type: 4, value: 3 }],
    });
    const edit = await lab.discord.waitFor(
      (c) => c.method === 'PATCH' && c.path.includes(`/${token}/messages/@original`),
      15_000,
    );
    const file = edit.files?.[0];
    expect(file?.filename).toBe(REPORT_FILE_NAME);
    expect(file?.contentType).toBe('image/png');
    expect(pngSize(file?.data ?? Buffer.alloc(0))).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    const embed = (edit.body as MessageBody).embeds?.[0];
    expect(embed?.title).toBe('The last 3 days');
    expect(embed?.image?.url).toBe(`attachment://${REPORT_FILE_NAME}`);
    expect(embed?.description).toMatch(/^\*\*Exposure grade B\*\* · 1 medium open/);
  });

  it('the REPORT_SCHEDULE job posts it to the alert channel as an attachment', async () => {
    const { app, bot } = await lab.start({ overrides: { addressFacts: seedFacts } });
    seedReportDatabase(app.repos, app.clock.now());
    const job = reportJob(app, bot.client.rest, TEST_IDS.channel);
    expect(job.schedule).toEqual({ kind: 'cron', expression: '0 9 * * 1' });
    expect(await job.run(new AbortController().signal)).toBe('done');
    const posted = lab.discord.channelMessages().at(-1);
    expect(posted?.attachments?.map((a) => a.filename)).toEqual([REPORT_FILE_NAME]);
    expect(pngSize(posted?.attachments?.[0]?.data ?? Buffer.alloc(0)).width).toBe(CHART_WIDTH);
  });

  it('heads every /scan reply with the exposure grade of everything open', async () => {
    const high: Check = {
      id: 'high-one',
      title: 'high',
      async run() {
        return [{ key: 'k', severity: 'high', title: 'A high finding', evidence: 'e', fix: 'f' }];
      },
    };
    await lab.start({ overrides: { checks: [high] } });
    const { token } = lab.discord.interaction({ name: 'scan', userId: TEST_IDS.approverUser });
    const edit = await lab.discord.waitFor(
      (c) => c.method === 'PATCH' && c.path.includes(`/${token}/messages/@original`),
      15_000,
    );
    expect((edit.body as MessageBody).embeds?.[0]?.description).toMatch(
      /^\*\*Exposure grade D\*\* \(1 high open\) · /,
    );
  });
});
