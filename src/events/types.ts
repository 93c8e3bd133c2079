import type { ClientEvents } from 'discord.js';
import type { BotContext } from '../commands/types.js';

/** One discord.js event handler; the file name is its id. */
export interface BotEvent<K extends keyof ClientEvents = keyof ClientEvents> {
  readonly id: string;
  readonly event: K;
  readonly once?: boolean;
  execute(ctx: BotContext, ...args: ClientEvents[K]): Promise<void>;
}

/** Keeps the event name and the handler's argument types tied together in the registry. */
export function defineEvent<K extends keyof ClientEvents>(event: BotEvent<K>): BotEvent<K> {
  return event;
}
