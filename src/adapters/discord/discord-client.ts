// Before discord.js: @discordjs/rest builds multipart bodies with the global FormData, and undici 7
// (package.json overrides) sends only its own FormData (brand-checked in lib/web/fetch/body.js).
import '../../kernel/web-globals.js';
import { Client, GatewayIntentBits, Options, Partials } from 'discord.js';
import type { DiscordConfig } from '../../config/index.js';

/**
 * Least privilege: Guilds (the guild and its roles, for authorization) and GuildMessageReactions
 * (✅/❌ on proposals) only; no GuildMessages, nothing reads messages. The partials let
 * MESSAGE_REACTION_ADD on an uncached message (posted before a restart) through instead of
 * dropping it. Caches hold only what the bot reads (the guild, its roles and channels, the bot's
 * own member); the rest is kept at zero or swept
 * (https://discord.js.org/docs/packages/discord.js/main/Options:Class#cacheWithLimits).
 */
export function createDiscordClient(config: DiscordConfig): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User, Partials.GuildMember],
    rest: { api: config.apiUrl, retries: 1, timeout: 15_000 },
    allowedMentions: { parse: [] },
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      ReactionManager: 0,
      ReactionUserManager: 0,
      GuildMessageManager: 0,
      ThreadManager: 0,
      ThreadMemberManager: 0,
      PresenceManager: 0,
      VoiceStateManager: 0,
      GuildEmojiManager: 0,
      GuildStickerManager: 0,
      GuildInviteManager: 0,
      GuildScheduledEventManager: 0,
      StageInstanceManager: 0,
      AutoModerationRuleManager: 0,
      GuildBanManager: 0,
      ApplicationCommandManager: 0,
      BaseGuildEmojiManager: 0,
      DMMessageManager: 0,
      // Members fetched to check an approver's roles: a handful, kept briefly (sweeper below).
      GuildMemberManager: { maxSize: 50, keepOverLimit: (member) => member.id === member.client.user.id },
      UserManager: { maxSize: 50, keepOverLimit: (user) => user.id === user.client.user.id },
    }),
    sweepers: {
      ...Options.DefaultSweeperSettings,
      users: { interval: 3_600, filter: () => (user) => user.id !== user.client.user.id },
      guildMembers: { interval: 3_600, filter: () => (member) => member.id !== member.client.user.id },
    },
  });
}
