import { slashCommand } from '../adapters/discord/slash-command.js';
import { boundedText } from '../alerts/bounded-list.js';
import { LIMITS, truncate } from '../alerts/embeds.js';
import type { Command } from './types.js';

export const allowlist: Command = {
  name: 'allowlist',
  data: slashCommand('allowlist', 'Addresses never flagged or blocked (configuration and /allow)').toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    const fromConfig = ctx.config.network.allowlist.map((c) => `${c} — ALLOWLIST (configuration)`);
    const fromDb = ctx.actions.allowlist
      .all()
      .map((e) => `${e.cidr}${e.note ? ` — ${e.note}` : ''} (added by <@${e.addedBy}>)`);
    const lines = [...fromConfig, ...fromDb];
    const title = `Allow-list (${lines.length})`;
    const footer = truncate(
      `The LAN (${ctx.config.network.lanCidrs.join(', ')}) is never blocked either.`,
      LIMITS.footer,
    );
    const list = boundedText(lines, {
      max: Math.min(LIMITS.description, LIMITS.charsPerMessage - title.length - footer.length),
    });
    await interaction.editReply({
      embeds: [
        {
          title,
          color: 0x1e88e5,
          description: lines.length === 0 ? 'Empty. Add with /allow.' : list.text,
          footer: { text: footer },
        },
      ],
      allowedMentions: { parse: [] },
    });
  },
};
