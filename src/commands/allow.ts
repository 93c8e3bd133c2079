import { SlashCommandBuilder } from 'discord.js';
import { overlaps, parseBlockTarget } from '../actions/block-policy.js';
import { cleanText } from '../kernel/clean-text.js';
import { UserError } from '../kernel/errors.js';
import type { Command } from './types.js';

function cidr(raw: string): string {
  const parsed = parseBlockTarget(raw);
  if (!parsed)
    throw new UserError('That is not an IPv4/IPv6 address or CIDR (e.g. 203.0.113.7 or 203.0.113.0/24).');
  if (parsed.prefix === 0)
    throw new UserError('Allow-listing every address would switch blocking off entirely.');
  return parsed.text;
}

/**
 * Adds to the allow-list right away (no proposal): allowing only ever makes the bot refuse
 * more, never act more. Audited like every action.
 */
export const allow: Command = {
  name: 'allow',
  data: new SlashCommandBuilder()
    .setName('allow')
    .setDescription('Never flag or block this address or range')
    .addStringOption((o) =>
      o.setName('cidr').setDescription('IPv4/IPv6 address or CIDR').setRequired(true).setMaxLength(64),
    )
    .addStringOption((o) =>
      o.setName('note').setDescription('Whose it is (shown in /allowlist)').setMaxLength(100),
    )
    .toJSON(),
  ephemeral: true,
  validate(interaction) {
    cidr(interaction.options.getString('cidr', true));
  },
  async execute(interaction, ctx) {
    const text = cidr(interaction.options.getString('cidr', true));
    const note = cleanText(interaction.options.getString('note')) ?? '';
    const { isNew } = ctx.actions.allowlist.add({ cidr: text, note, actor: interaction.user.id });
    // The log review's address cache and the block policy see the entry at once.
    ctx.scope.refresh();
    const allowed = parseBlockTarget(text);
    const blocked = ctx.actions.bans
      .active()
      .filter((b) => {
        const t = parseBlockTarget(b.target);
        return allowed && t ? overlaps(allowed.cidr, t.cidr) : false;
      })
      .map((b) => b.target);
    await interaction.editReply({
      content: `${text} is ${isNew ? 'now' : 'still'} on the allow-list${note ? ` (${note})` : ''}.${blocked.length > 0 ? ` Still blocked until you /unblock: ${blocked.join(', ')}.` : ''}`,
      allowedMentions: { parse: [] },
    });
  },
};
