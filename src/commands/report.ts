import { slashCommand } from '../adapters/discord/slash-command.js';
import { currentReport, reportMessage } from '../alerts/report-job.js';
import { UserError } from '../kernel/errors.js';
import { REPORT_DEFAULT_DAYS, REPORT_MAX_DAYS, REPORT_MIN_DAYS } from '../report/report-data.js';
import type { Command } from './types.js';

export const report: Command = {
  name: 'report',
  data: slashCommand('report', 'The picture of the last days as a chart, with the exposure grade')
    .addIntegerOption((o) =>
      o
        .setName('days')
        .setDescription(`How many days, ending today (default ${REPORT_DEFAULT_DAYS})`)
        .setMinValue(REPORT_MIN_DAYS)
        .setMaxValue(REPORT_MAX_DAYS),
    )
    .toJSON(),
  ephemeral: false,
  validate(interaction) {
    const days = interaction.options.getInteger('days');
    if (days !== null && (days < REPORT_MIN_DAYS || days > REPORT_MAX_DAYS))
      throw new UserError(`days must be between ${REPORT_MIN_DAYS} and ${REPORT_MAX_DAYS}.`);
  },
  async execute(interaction, ctx) {
    const days = interaction.options.getInteger('days') ?? REPORT_DEFAULT_DAYS;
    const { embeds, files } = reportMessage(currentReport(ctx, days));
    await interaction.editReply({
      embeds,
      files: files.map((f) => ({ attachment: f.data, name: f.name, contentType: f.contentType })),
      allowedMentions: { parse: [] },
    });
  },
};
