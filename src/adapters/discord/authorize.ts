import type { APIInteractionGuildMember, GuildMember } from 'discord.js';
import type { DiscordConfig } from '../../config/index.js';

export type Refusal = 'wrong-guild' | 'not-approver' | 'bot';

/** The role ids of a member, whether discord.js built a GuildMember or passed the raw API shape. */
export function memberRoleIds(member: GuildMember | APIInteractionGuildMember | null | undefined): string[] {
  if (!member) return [];
  if (Array.isArray(member.roles)) return member.roles;
  return [...(member as GuildMember).roles.cache.keys()];
}

/**
 * Server-side authorization for every command and every reaction: the configured guild, and an
 * approver by user id or by role. Returns why not, or undefined when allowed.
 */
export function refusalFor(
  config: DiscordConfig,
  who: { guildId: string | null; userId: string; isBot: boolean; roleIds: readonly string[] },
): Refusal | undefined {
  if (who.isBot) return 'bot';
  if (who.guildId !== config.guildId) return 'wrong-guild';
  if (config.approverUserIds.includes(who.userId)) return undefined;
  if (who.roleIds.some((id) => config.approverRoleIds.includes(id))) return undefined;
  return 'not-approver';
}

export const REFUSAL_TEXT = {
  'wrong-guild': 'plex-warden only takes commands in the server it was set up for.',
  'not-approver':
    'Only plex-warden approvers can use this. Ask the server admin to add your role to APPROVER_ROLE_IDS.',
  bot: 'Bots cannot use plex-warden commands.',
} as const satisfies Record<Refusal, string>;
