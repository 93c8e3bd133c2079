import { slashCommand } from '../adapters/discord/slash-command.js';
import { boundedText } from '../alerts/bounded-list.js';
import { LIMITS } from '../alerts/embeds.js';
import type { Command } from './types.js';

export const help: Command = {
  name: 'help',
  data: slashCommand('help', 'What plex-warden does and which commands it takes').toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    // Imported lazily: the registry imports every command, including this one.
    const { commands } = await import('./index.js');
    const intro =
      'Watches your Plex server and home network, posts findings here, and proposes actions you approve with ✅ or ❌.';
    const schedule = `Scheduled scans: \`${ctx.config.core.scanSchedule}\`.`;
    const list = boundedText(
      commands.map((c) => `**/${c.name}** — ${c.data.description}`),
      { max: LIMITS.description - intro.length - schedule.length - 4 },
    );
    await interaction.editReply({
      embeds: [
        {
          title: 'plex-warden',
          description: [intro, '', list.text, '', schedule].join('\n'),
          color: 0x1e88e5,
        },
      ],
      allowedMentions: { parse: [] },
    });
  },
};
