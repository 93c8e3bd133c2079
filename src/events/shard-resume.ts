import type { BotContext } from '../commands/types.js';
import { defineEvent } from './types.js';

/** After a gateway drop, deliver what waited in the outbox. */
export const shardResume = defineEvent({
  id: 'shard-resume',
  event: 'shardResume',
  execute: (ctx) => catchUp(ctx, 'Discord connection resumed'),
});

/**
 * What every ready session does, new or resumed: deliver what waited in the outbox, then apply
 * the ✅/❌ given on pending proposals meanwhile.
 */
export async function catchUp(ctx: BotContext, line: string): Promise<void> {
  ctx.logger.info(line);
  await ctx.alerts.flush();
  await ctx.board.replayReactions();
}
