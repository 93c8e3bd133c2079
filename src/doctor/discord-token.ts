/**
 * discord-token — DISCORD_TOKEN is a working bot token (GET /users/@me).
 * Why: a reset or mistyped token makes the bot fail at start, or at 3 a.m. after a restart.
 */
import { Routes } from 'discord.js';
import { type BotUser, BotUserSchema, discordAnswer } from '../adapters/discord/api-schemas.js';
import { discordFailure, doctorRest } from '../adapters/discord/one-off-rest.js';
import { fail, ok, type Probe, skip, warn } from './types.js';

export const discordToken: Probe = {
  id: 'discord-token',
  title: 'Discord token',
  async run(ctx) {
    const discord = ctx.config.discord;
    if (!discord) return skip('no Discord keys set (the bot needs them; `scan` does not)');
    let me: BotUser;
    try {
      me = await ctx.shared.once('discord:me', async () => {
        const rest = doctorRest(discord, 8_000);
        return discordAnswer(
          await rest.get(Routes.user('@me'), { signal: ctx.signal }),
          BotUserSchema,
          'the bot user',
        );
      });
    } catch (error) {
      const { status, reason } = discordFailure(error);
      if (status === 401)
        return fail(
          `${reason}: the token is not valid`,
          'Developer Portal > your application > Bot > Reset Token, then put the new token in DISCORD_TOKEN.',
        );
      return fail(reason, `Check that this machine reaches ${discord.apiUrl} and try again.`);
    }
    if (me.id !== discord.applicationId) {
      return warn(
        `signed in as ${me.username} (id ${me.id}), but DISCORD_APPLICATION_ID is ${discord.applicationId}`,
        'Use the token and the application id of the same application (General Information > Application ID).',
      );
    }
    return ok(`signed in as ${me.username} (id ${me.id})`);
  },
};
