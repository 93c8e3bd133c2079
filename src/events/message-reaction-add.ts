import { APPROVE_EMOJI, CANCEL_EMOJI } from '../actions/proposal-embed.js';
import { memberRoleIds } from '../adapters/discord/authorize.js';
import { defineEvent } from './types.js';

/**
 * ✅ / ❌ on a proposal message. The proposal is looked up by message id in SQLite, so this
 * works for messages posted before a restart (the client has the reaction intents and the
 * partials; nothing here needs the message itself). Only approvers of the configured guild
 * count; bots never; others' reactions are removed where the bot may.
 */
export const messageReactionAdd = defineEvent({
  id: 'message-reaction-add',
  event: 'messageReactionAdd',
  async execute(ctx, reaction, user) {
    if (user.id === ctx.client.user?.id) return;
    const messageId = reaction.message.id;
    const proposal = ctx.actions.proposals.byMessageId(messageId);
    if (!proposal) return;
    const emoji = reaction.emoji.name;
    const decision = emoji === APPROVE_EMOJI ? 'approve' : emoji === CANCEL_EMOJI ? 'cancel' : undefined;
    const logger = ctx.logger.child({ proposalId: proposal.id, user: user.id });
    const full = user.partial ? await user.fetch() : user;
    const guild = reaction.message.guild;
    let roleIds: string[] = [];
    if (guild) {
      const member =
        guild.members.cache.get(full.id) ?? (await guild.members.fetch(full.id).catch(() => undefined));
      roleIds = memberRoleIds(member);
    }
    const removeReaction = async () => {
      await reaction.users.remove(full.id).catch((error: unknown) => {
        logger.debug('could not remove a reaction (missing Manage Messages?)', { error });
      });
    };
    if (decision === undefined) {
      // Other emoji on a pending proposal would clutter the approval; only tidy them when open.
      if (proposal.status === 'pending' && !full.bot) await removeReaction();
      return;
    }
    const verdict = await ctx.board.decide({
      messageId,
      userId: full.id,
      isBot: full.bot,
      guildId: reaction.message.guildId,
      roleIds,
      decision,
    });
    if (verdict.kind === 'not-approver') await removeReaction();
  },
});
