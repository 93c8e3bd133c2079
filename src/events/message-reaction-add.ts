import { APPROVE_EMOJI, CANCEL_EMOJI } from '../actions/proposal-embed.js';
import type { ReactionVerdict } from '../actions/proposal-service.js';
import { memberRoleIds, refusalFor } from '../adapters/discord/authorize.js';
import { currentApprovers } from '../adapters/discord/current-approvers.js';
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
    const refusal = refusalFor(ctx.discord, {
      guildId: reaction.message.guildId,
      userId: full.id,
      isBot: full.bot,
      roleIds,
    });
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
    const verdict: ReactionVerdict = await ctx.actions.proposals.react({
      messageId,
      userId: full.id,
      decision,
      isBot: full.bot,
      isApprover: refusal === undefined,
      stillApprovers: (ids) => currentApprovers(ctx.client, ctx.discord, ids),
      onClaimed: (running) => ctx.board.update(running),
    });
    logger.info('proposal reaction', { decision, verdict: verdict.kind, refusal });
    switch (verdict.kind) {
      case 'not-approver':
        await removeReaction();
        return;
      case 'approval-recorded':
      case 'cancelled':
      case 'expired':
      case 'executed':
        await ctx.board.update(verdict.proposal);
        return;
      case 'unknown':
      case 'ignored-bot':
      case 'closed':
        return;
    }
  },
});
