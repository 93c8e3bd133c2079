import { SlashCommandBuilder } from 'discord.js';
import type { Command } from './types.js';

export const help: Command = {
  name: 'help',
  data: new SlashCommandBuilder()
    .setName('help')
    .setDescription('What plex-warden does and which commands it takes')
    .toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    // Imported lazily: the registry imports every command, including this one.
    const { commands } = await import('./index.js');
    const lines = commands.map((c) => `**/${c.name}** — ${c.data.description}`);
    await interaction.editReply({
      embeds: [
        {
          title: 'plex-warden',
          description: [
            'Watches your Plex server and home network, posts findings here, and proposes actions you approve with ✅ or ❌.',
            '',
            ...lines,
            '',
            `Scheduled scans: \`${ctx.config.core.scanSchedule}\`.`,
          ].join('\n'),
          color: 0x1e88e5,
        },
      ],
    });
  },
};
