import { SlashCommandBuilder } from 'discord.js';
import type { Command } from './types.js';

const MAX_FIELDS = 20;

export const blocks: Command = {
  name: 'blocks',
  data: new SlashCommandBuilder()
    .setName('blocks')
    .setDescription('Active blocks: address, expiry, origin')
    .toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    const active = ctx.actions.bans.active();
    const backend = ctx.actions.firewall.name;
    const when = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;
    await interaction.editReply({
      embeds: [
        {
          title: `Active blocks (${active.length})`,
          color: 0x1e88e5,
          description:
            active.length === 0
              ? 'Nothing is blocked.'
              : `Firewall backend: ${backend}${backend === 'none' ? ' — recorded only, nothing is enforced' : ''}.`,
          fields: active.slice(0, MAX_FIELDS).map((b) => ({
            name: b.target,
            value: [
              `ends ${when(b.expiresAt)} · ${b.origin}${b.level > 0 ? ` · repeat level ${b.level}` : ''}`,
              b.reason.slice(0, 200),
            ].join('\n'),
          })),
          footer:
            active.length > MAX_FIELDS ? { text: `…and ${active.length - MAX_FIELDS} more` } : undefined,
        },
      ],
      allowedMentions: { parse: [] },
    });
  },
};
