import { slashCommand } from '../adapters/discord/slash-command.js';
import { scanReport } from '../alerts/digest.js';
import { publishChanges } from '../alerts/publish-changes.js';
import { checks } from '../checks/index.js';
import { UserError } from '../kernel/errors.js';
import { exposureGrade } from '../report/exposure-grade.js';
import type { Command } from './types.js';

export const scan: Command = {
  name: 'scan',
  data: slashCommand('scan', 'Run the exposure checks now and show what they find')
    .addStringOption((o) =>
      o
        .setName('check')
        .setDescription('Run only this check')
        .setRequired(false)
        .addChoices(...checks.slice(0, 25).map((c) => ({ name: c.id, value: c.id }))),
    )
    .toJSON(),
  ephemeral: false,
  validate(interaction, ctx) {
    const only = interaction.options.getString('check');
    if (only !== null && !ctx.runner.checkIds.includes(only)) {
      throw new UserError(`There is no check called "${only.slice(0, 64)}". Pick one from the list.`);
    }
  },
  async execute(interaction, ctx) {
    const only = interaction.options.getString('check');
    const result = await ctx.runner.run({ trigger: 'command', ...(only ? { checkIds: [only] } : {}) });
    // Graded on everything open after this scan (log findings and other checks too), not this run alone.
    const grade = exposureGrade(ctx.repos.report.openBySeverity());
    const [first, ...rest] = scanReport(result, grade);
    await interaction.editReply({ embeds: first ?? [], allowedMentions: { parse: [] } });
    for (const embeds of rest) await interaction.followUp({ embeds, allowedMentions: { parse: [] } });
    // The reply shows everything; the alert channel still gets what changed, like a scheduled scan.
    await publishChanges(ctx, ctx.alerts, result.changes, `Scan #${result.runId}`);
    if (result.changes.opened.length > 0) await ctx.board.proposeSuggestedActions(result.changes.opened);
  },
};
