import { DiscordAPIError, DiscordjsError, HTTPError } from 'discord.js';

/**
 * Turns a failure while the bot connects (registering commands, logging in) into a line the
 * admin can act on, with the exit code a service manager needs: 2 = fix the configuration (do
 * not restart in a loop), 3 = Discord or the network is down (restart later). Undefined for
 * anything else, which stays an unexpected error.
 */
export function discordStartupProblem(error: unknown): { message: string; exitCode: 2 | 3 } | undefined {
  if (
    (error instanceof DiscordAPIError && error.status === 401) ||
    (error instanceof DiscordjsError && error.code === 'TokenInvalid')
  ) {
    return {
      exitCode: 2,
      message:
        'Discord rejected DISCORD_TOKEN (401). Developer Portal > your application > Bot > Reset Token, put the new token in DISCORD_TOKEN, then run `plex-warden doctor`.',
    };
  }
  if (error instanceof DiscordAPIError && (error.status === 403 || error.status === 404)) {
    return {
      exitCode: 2,
      message: `Discord refused to register the slash commands in DISCORD_GUILD_ID (${error.status}: ${error.message}). Is the bot in that server, invited with the "applications.commands" scope, and is DISCORD_APPLICATION_ID the bot's application? The README has the invite link; \`plex-warden doctor\` checks the rest.`,
    };
  }
  const code = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  if (
    error instanceof HTTPError ||
    (error instanceof DiscordAPIError && error.status >= 500) ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) ||
    (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code))
  ) {
    const detail =
      error instanceof HTTPError || error instanceof DiscordAPIError
        ? `HTTP ${error.status}`
        : String(code ?? 'timeout');
    return {
      exitCode: 3,
      message: `Discord is not reachable right now (${detail}). plex-warden exits so that its service manager starts it again; alerts already queued stay in the database and go out once it connects.`,
    };
  }
  return undefined;
}
