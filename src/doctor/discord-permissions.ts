/**
 * discord-permissions — what the bot may do in ALERT_CHANNEL_ID, computed like Discord does:
 * @everyone, then the bot's roles, then the channel's overwrites (everyone, roles, member).
 * Why: a missing "Embed Links" posts empty alerts, a missing "Add Reactions" makes proposals
 * unapprovable — both silently. Fix: the role or the channel overwrite named in the line.
 */
import { PermissionFlagsBits, Routes } from 'discord.js';
import type * as v from 'valibot';
import {
  type BotUser,
  BotUserSchema,
  ChannelSchema,
  discordAnswer,
  GuildSchema,
  MemberSchema,
} from '../adapters/discord/api-schemas.js';
import { discordFailure, doctorRest } from '../adapters/discord/one-off-rest.js';
import { fail, ok, type Probe, skip, warn } from './types.js';

/** What the bot needs in the alert channel, and why (shown when missing). */
export const REQUIRED_PERMISSIONS = [
  ['View Channel', PermissionFlagsBits.ViewChannel, 'see the alert channel at all'],
  ['Send Messages', PermissionFlagsBits.SendMessages, 'post alerts and proposals'],
  ['Embed Links', PermissionFlagsBits.EmbedLinks, 'alerts are embeds; without it they arrive empty'],
  ['Add Reactions', PermissionFlagsBits.AddReactions, 'put ✅/❌ under proposals'],
  [
    'Read Message History',
    PermissionFlagsBits.ReadMessageHistory,
    'see reactions on proposals posted before a restart',
  ],
] as const satisfies readonly (readonly [string, bigint, string])[];

export const OPTIONAL_PERMISSIONS = [
  [
    'Manage Messages',
    PermissionFlagsBits.ManageMessages,
    "remove reactions from people who are not approvers (they don't count either way)",
  ],
] as const satisfies readonly (readonly [string, bigint, string])[];

/** The permission integer for the invite URL: every required and optional permission. */
export const INVITE_PERMISSIONS = [...REQUIRED_PERMISSIONS, ...OPTIONAL_PERMISSIONS].reduce(
  (sum, [, bit]) => sum | bit,
  0n,
);

interface ApiRole {
  id: string;
  permissions: string;
}
interface ApiOverwrite {
  id: string;
  type: 0 | 1;
  allow: string;
  deny: string;
}

const ALL = (1n << 64n) - 1n;

/** Discord's documented permission algorithm for a member in a guild channel. */
export function channelPermissions(input: {
  guildId: string;
  ownerId: string;
  roles: readonly ApiRole[];
  memberId: string;
  memberRoleIds: readonly string[];
  overwrites: readonly ApiOverwrite[];
}): bigint {
  if (input.ownerId === input.memberId) return ALL;
  const role = (id: string) => input.roles.find((r) => r.id === id);
  let perms = BigInt(role(input.guildId)?.permissions ?? '0');
  for (const id of input.memberRoleIds) perms |= BigInt(role(id)?.permissions ?? '0');
  if ((perms & PermissionFlagsBits.Administrator) !== 0n) return ALL;
  const everyone = input.overwrites.find((o) => o.id === input.guildId);
  if (everyone) perms = (perms & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of input.overwrites) {
    if (o.type === 0 && o.id !== input.guildId && input.memberRoleIds.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const member = input.overwrites.find((o) => o.type === 1 && o.id === input.memberId);
  if (member) perms = (perms & ~BigInt(member.deny)) | BigInt(member.allow);
  return perms;
}

export const discordPermissions: Probe = {
  id: 'discord-permissions',
  title: 'Alert channel permissions',
  async run(ctx) {
    const discord = ctx.config.discord;
    if (!discord) return skip('no Discord keys set');
    const rest = doctorRest(discord, 8_000);
    const get = async <const S extends v.GenericSchema>(route: `/${string}`, schema: S, what: string) =>
      discordAnswer(await rest.get(route, { signal: ctx.signal }), schema, what);
    let me: BotUser;
    try {
      me = await ctx.shared.once('discord:me', () => get(Routes.user('@me'), BotUserSchema, 'the bot user'));
    } catch {
      return skip('cannot be checked without a working token (see the line above)');
    }
    const channelId = discord.alertChannelId;
    let channel: v.InferOutput<typeof ChannelSchema>;
    try {
      channel = await get(Routes.channel(channelId), ChannelSchema, 'the alert channel');
    } catch (error) {
      const { status, reason } = discordFailure(error);
      if (status === 403 || status === 404)
        return fail(
          `the bot cannot see ALERT_CHANNEL_ID ${channelId} (${reason})`,
          'Invite the bot with the link in the README, give it View Channel on that channel, and check the id (Developer Mode > Copy Channel ID).',
        );
      return fail(`could not read the channel: ${reason}`, 'Try again when Discord answers.');
    }
    if (channel.guild_id !== discord.guildId) {
      return fail(
        `ALERT_CHANNEL_ID ${channelId} is not in DISCORD_GUILD_ID ${discord.guildId}`,
        'Use a channel of the server the bot serves.',
      );
    }
    let guild: v.InferOutput<typeof GuildSchema>;
    let member: v.InferOutput<typeof MemberSchema>;
    try {
      guild = await get(Routes.guild(discord.guildId), GuildSchema, 'the server');
      member = await get(Routes.guildMember(discord.guildId, me.id), MemberSchema, "the bot's membership");
    } catch (error) {
      return warn(
        `could not read the server's roles (${discordFailure(error).reason}), so the permissions were not verified`,
        'Check by hand: the bot needs View Channel, Send Messages, Embed Links, Add Reactions and Read Message History in the alert channel.',
      );
    }
    const perms = channelPermissions({
      guildId: discord.guildId,
      ownerId: guild.owner_id,
      roles: guild.roles,
      memberId: me.id,
      memberRoleIds: member.roles,
      overwrites: channel.permission_overwrites ?? [],
    });
    const missing = REQUIRED_PERMISSIONS.filter(([, bit]) => (perms & bit) === 0n);
    const where = `#${channel.name ?? channelId}`;
    if (missing.length > 0) {
      return fail(
        `missing in ${where}: ${missing.map(([name, , why]) => `${name} (to ${why})`).join('; ')}`,
        "Server Settings > Roles (the bot's role) or the channel's Permissions tab: allow the permissions named above.",
      );
    }
    const optional = OPTIONAL_PERMISSIONS.filter(([, bit]) => (perms & bit) === 0n);
    if (optional.length > 0) {
      return warn(
        `all required permissions in ${where}; optional ${optional.map(([name]) => name).join(', ')} is missing`,
        `Allow ${optional.map(([name, , why]) => `${name} to ${why}`).join('; ')}.`,
      );
    }
    return ok(
      `View Channel, Send Messages, Embed Links, Add Reactions, Read Message History, Manage Messages in ${where}`,
    );
  },
};
