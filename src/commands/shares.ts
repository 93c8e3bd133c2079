import { assertAccountOwner } from '../actions/account-owner.js';
import { slashCommand } from '../adapters/discord/slash-command.js';
import { describeGrant, grantsOf } from '../checks/plex-shares.js';
import type { Command } from './types.js';

/** Discord: 4,096 characters per embed description; leave room for the "more" line. */
const MAX_DESCRIPTION = 3_800;

export const shares: Command = {
  name: 'shares',
  data: slashCommand(
    'shares',
    'Who the Plex server is shared with (friends, home users) and with what',
  ).toJSON(),
  ephemeral: true,
  async execute(interaction, ctx) {
    const signal = AbortSignal.timeout(20_000);
    await assertAccountOwner(ctx.plex, ctx.plexTv, signal);
    const identity = await ctx.plex.identity(signal);
    const grants = grantsOf(await ctx.plexTv.sharedUsers(signal), identity.machineIdentifier);
    const lines: string[] = [];
    let length = 0;
    for (const grant of grants) {
      const line = `• ${describeGrant(grant)}`;
      if (length + line.length + 1 > MAX_DESCRIPTION) break;
      lines.push(line);
      length += line.length + 1;
    }
    const more = grants.length - lines.length;
    await interaction.editReply({
      embeds: [
        {
          title: `Shares of the Plex server (${grants.length})`,
          color: 0x1e88e5,
          description:
            grants.length === 0
              ? 'The server is not shared with anyone.'
              : `${lines.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`,
        },
      ],
      allowedMentions: { parse: [] },
    });
  },
};
