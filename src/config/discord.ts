import { DISCORD } from './keys/index.js';
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

/** The Discord section's key names, in table order (doctor reports which ones are set). */
export const DISCORD_KEYS: readonly string[] = Object.values(DISCORD.keys).map((key) => key.name);

/**
 * The Discord section is required for the bot and optional for commands that run without
 * Discord (`scan`, `review`, `replay`); when optional it is still validated if any key is set.
 */
export function readDiscordConfig(r: EnvReader, required: boolean): DiscordConfig | null {
  const k = DISCORD.keys;
  const anySet = Object.values(k).some((key) => key !== k.DISCORD_API_URL && r.has(key));
  if (!required && !anySet) return null;
  const token = r.value(k.DISCORD_TOKEN, { required: true });
  const applicationId = r.value(k.DISCORD_APPLICATION_ID, { required: true });
  const guildId = r.value(k.DISCORD_GUILD_ID, { required: true });
  const alertChannelId = r.value(k.ALERT_CHANNEL_ID, { required: true });
  const approverRoleIds = r.value(k.APPROVER_ROLE_IDS);
  const approverUserIds = r.value(k.APPROVER_USER_IDS);
  if (!r.has(k.APPROVER_ROLE_IDS) && !r.has(k.APPROVER_USER_IDS)) {
    r.problemOf(
      [k.APPROVER_ROLE_IDS, k.APPROVER_USER_IDS],
      'are both empty: expected at least one approver role id or user id',
    );
  }
  const apiUrl = r.value(k.DISCORD_API_URL);
  if (!token || !applicationId || !guildId || !alertChannelId) return null;
  return { token, applicationId, guildId, alertChannelId, approverRoleIds, approverUserIds, apiUrl };
}
