import { defineEvent } from './types.js';

export const clientReady = defineEvent({
  id: 'client-ready',
  event: 'clientReady',
  async execute(ctx, client) {
    ctx.logger.info('connected to Discord', { user: client.user.tag, guilds: client.guilds.cache.size });
    if (!client.guilds.cache.has(ctx.discord.guildId)) {
      ctx.logger.warn('the bot is not a member of DISCORD_GUILD_ID; invite it with the link in the README');
    }
    await ctx.alerts.flush();
  },
});
