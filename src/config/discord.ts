import type { EnvReader } from './reader.js';

export interface DiscordConfig {
  readonly token: string;
  readonly applicationId: string;
  readonly guildId: string;
  readonly alertChannelId: string;
  readonly approverRoleIds: readonly string[];
  readonly approverUserIds: readonly string[];
  /** REST base without the version, e.g. https://discord.com/api. */
  readonly apiUrl: string;
}

export const DISCORD_KEYS = [
  'DISCORD_TOKEN',
  'DISCORD_APPLICATION_ID',
  'DISCORD_GUILD_ID',
  'ALERT_CHANNEL_ID',
  'APPROVER_ROLE_IDS',
  'APPROVER_USER_IDS',
  'DISCORD_API_URL',
] as const;

/**
 * The Discord section is required for the bot and optional for commands that run without
 * Discord (`scan`, `review`, `replay`); when optional it is still validated if any key is set.
 */
export function readDiscordConfig(r: EnvReader, required: boolean): DiscordConfig | null {
  const anySet = DISCORD_KEYS.some((key) => key !== 'DISCORD_API_URL' && r.has(key));
  if (!required && !anySet) return null;
  const token = r.secret('DISCORD_TOKEN', {
    required: true,
    minLength: 50,
    expected: 'the bot token from the Developer Portal (Bot > Reset Token)',
  });
  const applicationId = r.snowflake('DISCORD_APPLICATION_ID', { required: true });
  const guildId = r.snowflake('DISCORD_GUILD_ID', { required: true });
  const alertChannelId = r.snowflake('ALERT_CHANNEL_ID', { required: true });
  const approverRoleIds = r.snowflakeList('APPROVER_ROLE_IDS');
  const approverUserIds = r.snowflakeList('APPROVER_USER_IDS');
  if (
    approverRoleIds.length === 0 &&
    approverUserIds.length === 0 &&
    !r.has('APPROVER_ROLE_IDS') &&
    !r.has('APPROVER_USER_IDS')
  ) {
    r.problems.push(
      'APPROVER_ROLE_IDS / APPROVER_USER_IDS are both empty: expected at least one approver role id or user id',
    );
  }
  const apiUrl = r.url('DISCORD_API_URL', { default: 'https://discord.com/api' });
  if (!token || !applicationId || !guildId || !alertChannelId || !apiUrl) return null;
  return { token, applicationId, guildId, alertChannelId, approverRoleIds, approverUserIds, apiUrl };
}
