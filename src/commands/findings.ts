import type { APIEmbed } from 'discord.js';
import { slashCommand } from '../adapters/discord/slash-command.js';
import type { StoredFinding } from '../adapters/sqlite/finding-repository.js';
import { boundedText } from '../alerts/bounded-list.js';
import { LIMITS, SEVERITY_COLOUR, SEVERITY_ICON, safeText, truncate } from '../alerts/embeds.js';
import { SEVERITIES, type Severity, severityRank } from '../domain/finding.js';
import { UserError } from '../kernel/errors.js';
import type { Command } from './types.js';

/** Findings per page: ten lines of at most ~300 characters stay far below an embed's 4,096. */
export const PAGE_SIZE = 10;
const LINE_MAX = 300;
/** The title gives way first: the fingerprint under it is what /snooze takes. */
const TITLE_MAX = 160;

/** One page of open findings as an embed; the fingerprint on each line is what /snooze takes. */
export function findingsPage(
  open: readonly StoredFinding[],
  page: number,
  now: number,
  setAside = 0,
  minimum: Severity | null = null,
): APIEmbed {
  const pages = Math.max(1, Math.ceil(open.length / PAGE_SIZE));
  if (page > pages) {
    throw new UserError(
      `There ${pages === 1 ? 'is only 1 page' : `are only ${pages} pages`} of open findings.`,
    );
  }
  const lines = open.slice((page - 1) * PAGE_SIZE).map((f) => {
    const snoozed =
      f.snoozedUntil !== null && f.snoozedUntil > now
        ? ` · 🔕 until <t:${Math.floor(f.snoozedUntil / 1000)}:f>`
        : '';
    const since = `since <t:${Math.floor(f.firstSeenAt / 1000)}:R>`;
    return `${SEVERITY_ICON[f.severity]} **${f.severity.toUpperCase()}** ${truncate(safeText(f.title), TITLE_MAX)}\n\`${f.fingerprint}\` · ${since}${snoozed}`;
  });
  const worst = open[0]?.severity;
  // Alerts Discord refused are not lost: their findings are listed here, and the count says so.
  const warning =
    setAside > 0
      ? `⚠️ ${setAside} alert message${setAside === 1 ? ' was' : 's were'} set aside (Discord refused ${setAside === 1 ? 'it' : 'them'}); every open finding is listed below.\n`
      : '';
  const filter = minimum === null ? '' : ` severity:${minimum}`;
  const list = boundedText(lines, {
    max: LIMITS.description - warning.length,
    count: PAGE_SIZE,
    lineMax: LINE_MAX,
    more: (n) => `${n} more: \`/findings page:${page + 1}${filter}\``,
  });
  return {
    title: 'Open findings',
    description: warning + (open.length === 0 ? '✅ Nothing open.' : list.text),
    color: worst ? SEVERITY_COLOUR[worst] : 0x43a047,
    footer: {
      text: `Page ${page}/${pages} · ${open.length} open${pages > 1 ? ' · /findings page:N for more' : ''} · /snooze takes the id under a title`,
    },
  };
}

export const findings: Command = {
  name: 'findings',
  data: slashCommand('findings', 'List what is open, most severe first')
    .addIntegerOption((o) => o.setName('page').setDescription('Page number').setMinValue(1).setMaxValue(1000))
    .addStringOption((o) =>
      o
        .setName('severity')
        .setDescription('Only this severity and above')
        .addChoices(...SEVERITIES.map((s) => ({ name: s, value: s }))),
    )
    .toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    const page = interaction.options.getInteger('page') ?? 1;
    const minimum = interaction.options.getString('severity') as Severity | null;
    const open = ctx.repos.findings
      .open()
      .filter((f) => minimum === null || severityRank(f.severity) >= severityRank(minimum));
    await interaction.editReply({
      embeds: [findingsPage(open, page, ctx.clock.now(), ctx.alerts.setAside, minimum)],
      allowedMentions: { parse: [] },
    });
  },
};
