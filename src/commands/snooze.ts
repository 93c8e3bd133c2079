import { slashCommand } from '../adapters/discord/slash-command.js';
import { SEVERITY_ICON, truncate } from '../alerts/embeds.js';
import { formatDuration, parseDuration } from '../kernel/duration.js';
import { UserError } from '../kernel/errors.js';
import type { Command } from './types.js';

export const MAX_SNOOZE_MS = 90 * 86_400_000;
/** Discord's limit for an autocomplete choice name and value. */
const CHOICE_MAX = 100;

/** `off` clears a snooze; otherwise a duration such as 2h, 1d12h or 7d, at most 90 days. */
export function parseSnoozeDuration(raw: string): number | null {
  const text = raw.trim().toLowerCase();
  if (text === 'off' || text === 'none' || text === '0') return null;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 60_000 || ms > MAX_SNOOZE_MS) {
    throw new UserError(
      'The duration must look like 30m, 2h, 1d or 7d (1 minute to 90 days), or "off" to unsnooze.',
    );
  }
  return ms;
}

export const snooze: Command = {
  name: 'snooze',
  data: slashCommand('snooze', 'Silence one finding for a while (it stays listed in /findings)')
    .addStringOption((o) =>
      o
        .setName('finding')
        .setDescription('The finding (start typing to pick from what is open)')
        .setRequired(true)
        .setAutocomplete(true)
        .setMaxLength(200),
    )
    .addStringOption((o) =>
      o
        .setName('duration')
        .setDescription('e.g. 2h, 1d, 7d; "off" to unsnooze')
        .setRequired(true)
        .setMaxLength(32),
    )
    .toJSON(),
  ephemeral: false,
  validate(interaction) {
    parseSnoozeDuration(interaction.options.getString('duration', true));
  },
  async execute(interaction, ctx) {
    const fingerprint = interaction.options.getString('finding', true).trim();
    const ms = parseSnoozeDuration(interaction.options.getString('duration', true));
    const finding = ctx.repos.findings.get(fingerprint);
    if (finding?.status !== 'open') {
      throw new UserError(
        `No open finding has the id \`${truncate(fingerprint.replace(/[`\\]/g, ''), 80)}\`. Pick one from the suggestions while typing, or see /findings.`,
      );
    }
    const now = ctx.clock.now();
    const until = ms === null ? null : now + ms;
    ctx.repos.findings.snooze(fingerprint, until);
    ctx.logger.info('finding snoozed', { fingerprint, until, user: interaction.user.id });
    const title = truncate(finding.title, 200);
    await interaction.editReply({
      content:
        until === null
          ? `🔔 \`${fingerprint}\` (${title}) is no longer snoozed: it alerts again when it changes.`
          : `🔕 \`${fingerprint}\` (${title}) is snoozed for ${formatDuration(ms ?? 0)}, until <t:${Math.floor(until / 1000)}:f>. No alerts about it until then; it stays listed in /findings.`,
      allowedMentions: { parse: [] },
    });
  },
  async autocomplete(interaction, ctx) {
    const typed = interaction.options.getFocused().toLowerCase();
    const choices = ctx.repos.findings
      .open()
      .filter((f) => f.fingerprint.length <= CHOICE_MAX)
      .filter(
        (f) =>
          typed === '' ||
          f.fingerprint.toLowerCase().includes(typed) ||
          f.title.toLowerCase().includes(typed),
      )
      .slice(0, 25)
      .map((f) => ({
        name: truncate(`${SEVERITY_ICON[f.severity]} ${f.title} — ${f.fingerprint}`, CHOICE_MAX),
        value: f.fingerprint,
      }));
    await interaction.respond(choices);
  },
};
