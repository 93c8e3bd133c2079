import { registerCommands } from '../app/register-commands.js';
import { type CliCommand, EXIT } from './types.js';

export const registerCommandsCli: CliCommand = {
  name: 'register-commands',
  summary: 'Register the slash commands to DISCORD_GUILD_ID (the bot also does this at start)',
  usage: 'plex-warden register-commands',
  config: 'discord',
  async run(_args, config, io) {
    if (!config?.discord) return EXIT.usage;
    const count = await registerCommands(config.discord);
    io.stdout.write(`Registered ${count} slash commands to guild ${config.discord.guildId}.\n`);
    return EXIT.ok;
  },
};
