import { clientReady } from './client-ready.js';
import { interactionCreate } from './interaction-create.js';
import { messageReactionAdd } from './message-reaction-add.js';
import { messageReactionRemove } from './message-reaction-remove.js';
import { shardReady } from './shard-ready.js';
import { shardResume } from './shard-resume.js';
import type { BotEvent } from './types.js';

/** Every Discord event handler. Adding one = one file + one line here. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds handlers for different events.
export const events: readonly BotEvent<any>[] = [
  clientReady,
  interactionCreate,
  shardReady,
  shardResume,
  messageReactionAdd,
  messageReactionRemove,
];
