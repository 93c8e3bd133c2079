import { APPROVE_EMOJI } from '../actions/proposal-embed.js';
import { defineEvent } from './types.js';

/**
 * An approver removing their ✅ from a proposal that has not run yet withdraws the approval
 * (it matters when APPROVALS_REQUIRED > 1). Looked up by message id, so it works after a
 * restart. Nothing that already ran is undone.
 */
export const messageReactionRemove = defineEvent({
  id: 'message-reaction-remove',
  event: 'messageReactionRemove',
  async execute(ctx, reaction, user) {
    if (user.id === ctx.client.user?.id || reaction.emoji.name !== APPROVE_EMOJI) return;
    const updated = ctx.actions.proposals.withdraw(reaction.message.id, user.id);
    if (updated) await ctx.board.update(updated);
  },
});
