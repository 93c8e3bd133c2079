import { type Client, DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';
import type { DiscordConfig } from '../../config/index.js';
import { memberRoleIds, refusalFor } from './authorize.js';

/**
 * Of these users, the ones who may approve right now: listed in APPROVER_USER_IDS, or holding
 * an approver role in the configured guild, with the member fetched fresh from Discord (never
 * the cache, which keeps roles a member has since lost). A user who left the server is not an
 * approver (Discord answers 10007 Unknown Member,
 * https://discord.com/developers/docs/topics/opcodes-and-status-codes#json). Any other failure
 * throws: the caller runs nothing then.
 */
export async function currentApprovers(
  client: Client,
  config: DiscordConfig,
  userIds: readonly string[],
): Promise<ReadonlySet<string>> {
  const out = new Set<string>();
  const byRole = userIds.filter((id) => !config.approverUserIds.includes(id));
  for (const id of userIds) if (config.approverUserIds.includes(id)) out.add(id);
  if (byRole.length === 0) return out;
  const guild = client.guilds.cache.get(config.guildId) ?? (await client.guilds.fetch(config.guildId));
  for (const id of byRole) {
    try {
      const member = await guild.members.fetch({ user: id, force: true });
      const refusal = refusalFor(config, {
        guildId: guild.id,
        userId: id,
        isBot: member.user.bot,
        roleIds: memberRoleIds(member),
      });
      if (refusal === undefined) out.add(id);
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMember) continue;
      throw error;
    }
  }
  return out;
}
