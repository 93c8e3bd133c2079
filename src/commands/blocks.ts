import { slashCommand } from '../adapters/discord/slash-command.js';
import { boundedFields } from '../alerts/bounded-list.js';
import { LIMITS } from '../alerts/embeds.js';
import type { Command } from './types.js';

export const blocks: Command = {
  name: 'blocks',
  data: slashCommand('blocks', 'Active blocks: address, expiry, origin').toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    const active = ctx.actions.bans.active();
    const backend = ctx.actions.firewall.name;
    const when = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;
    const title = `Active blocks (${active.length})`;
    const description =
      active.length === 0
        ? 'Nothing is blocked.'
        : `Firewall backend: ${backend}${backend === 'none' ? ' — recorded only, nothing is enforced' : ''}.`;
    // Fields and the cut note (the footer) share what title and description leave of the 6,000.
    const fields = boundedFields(
      active.map((b) => ({
        name: b.target,
        value: [
          `ends ${when(b.expiresAt)} · ${b.origin}${b.level > 0 ? ` · repeat level ${b.level}` : ''}`,
          b.reason.slice(0, 200),
        ].join('\n'),
      })),
      { chars: LIMITS.charsPerMessage - title.length - description.length },
    );
    await interaction.editReply({
      embeds: [
        {
          title,
          color: 0x1e88e5,
          description,
          fields: fields.shown,
          footer: fields.note === undefined ? undefined : { text: fields.note },
        },
      ],
      allowedMentions: { parse: [] },
    });
  },
};
