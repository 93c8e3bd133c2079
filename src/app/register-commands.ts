import { PermissionFlagsBits, REST, Routes } from 'discord.js';
import { commands } from '../commands/index.js';
import type { DiscordConfig } from '../config/index.js';

/**
 * Only members with Manage Guild see the commands by default
 * (https://discord.com/developers/docs/interactions/application-commands#permissions); the
 * server-side approver check still decides on every command, this only keeps the list out of
 * everyone's menu. Server admins can widen it under Integrations.
 */
export const DEFAULT_MEMBER_PERMISSIONS = PermissionFlagsBits.ManageGuild.toString();

/** Registers every slash command to the configured guild (guild commands update instantly). */
export async function registerCommands(config: DiscordConfig, rest?: REST): Promise<number> {
  const client = rest ?? new REST({ api: config.apiUrl, retries: 1, timeout: 15_000 }).setToken(config.token);
  const body = commands.map((c) => ({ ...c.data, default_member_permissions: DEFAULT_MEMBER_PERMISSIONS }));
  await client.put(Routes.applicationGuildCommands(config.applicationId, config.guildId), { body });
  return body.length;
}
