import { Client, GatewayIntentBits, Partials } from 'discord.js';
import type { DiscordConfig } from '../../config/index.js';

/**
 * The intents and partials that reactions on messages posted before a restart need: without the
 * partials, MESSAGE_REACTION_ADD on an uncached message is dropped silently.
 */
export function createDiscordClient(config: DiscordConfig): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMessageReactions,
    ],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User, Partials.GuildMember],
    rest: { api: config.apiUrl, retries: 1, timeout: 15_000 },
    allowedMentions: { parse: [] },
  });
}
