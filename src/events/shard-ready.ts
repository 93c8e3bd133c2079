import { catchUp } from './shard-resume.js';
import { defineEvent } from './types.js';

/**
 * A new gateway session (the first one, or one after Discord refused a resume): Discord replays
 * nothing that happened while the bot had no session (https://discord.com/developers/docs/topics/gateway#resuming),
 * so the outbox is flushed now rather than on its retry timer, and the ✅/❌ on pending proposals
 * are read back and applied.
 */
export const shardReady = defineEvent({
  id: 'shard-ready',
  event: 'shardReady',
  execute: (ctx) => catchUp(ctx, 'Discord session ready'),
});
