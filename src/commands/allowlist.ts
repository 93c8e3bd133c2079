import { SlashCommandBuilder } from 'discord.js';
import type { Command } from './types.js';

export const allowlist: Command = {
  name: 'allowlist',
  data: new SlashCommandBuilder()
    .setName('allowlist')
    .setDescription('Addresses never flagged or blocked (configuration and /allow)')
    .toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    const fromConfig = ctx.config.network.allowlist.map((c) => `${c} — ALLOWLIST (configuration)`);
    const fromDb = ctx.actions.allowlist
      .all()
      .map((e) => `${e.cidr}${e.note ? ` — ${e.note}` : ''} (added by <@${e.addedBy}>)`);
    const lines = [...fromConfig, ...fromDb];
    await interaction.editReply({
      embeds: [
        {
          title: `Allow-list (${lines.length})`,
          color: 0x1e88e5,
          description: (lines.length === 0 ? 'Empty. Add with /allow.' : lines.join('\n')).slice(0, 4_000),
          footer: {
            text: `The LAN (${ctx.config.network.lanCidrs.join(', ')}) is never blocked either.`.slice(
              0,
              2_000,
            ),
          },
        },
      ],
      allowedMentions: { parse: [] },
    });
  },
};
