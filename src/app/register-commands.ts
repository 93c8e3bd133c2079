import { REST, Routes } from 'discord.js';
import { commands } from '../commands/index.js';
import type { DiscordConfig } from '../config/index.js';

/** Registers every slash command to the configured guild (guild commands update instantly). */
export async function registerCommands(config: DiscordConfig, rest?: REST): Promise<number> {
  const client = rest ?? new REST({ api: config.apiUrl, retries: 1, timeout: 15_000 }).setToken(config.token);
  const body = commands.map((c) => c.data);
  await client.put(Routes.applicationGuildCommands(config.applicationId, config.guildId), { body });
  return body.length;
}
