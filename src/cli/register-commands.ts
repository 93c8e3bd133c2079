import { registerCommands } from '../app/register-commands.js';
import { type CliModule, EXIT } from './types.js';

export const cli: CliModule = {
  async run(_args, config, io) {
    if (!config?.discord) return EXIT.usage;
    const count = await registerCommands(config.discord);
    io.stdout.write(`Registered ${count} slash commands to guild ${config.discord.guildId}.\n`);
    return EXIT.ok;
  },
};
