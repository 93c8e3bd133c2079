import { defineEvent } from './types.js';

/** After a gateway drop, deliver what waited in the outbox. */
export const shardResume = defineEvent({
  id: 'shard-resume',
  event: 'shardResume',
  async execute(ctx) {
    ctx.logger.info('Discord connection resumed');
    await ctx.alerts.flush();
    await ctx.board.replayReactions();
  },
});
