import * as v from 'valibot';
import { ServiceError } from '../../kernel/errors.js';
import { checkSchema } from '../../kernel/schema.js';

// The few fields of Discord REST answers we read, as the API reference documents them
// (https://discord.com/developers/docs/resources/user#user-object, .../channel#channel-object,
// .../guild#guild-object, .../guild#guild-member-object, .../message#message-object,
// https://discord.com/developers/docs/topics/permissions#role-object). Loose: Discord adds fields.

export const BotUserSchema = v.looseObject({ id: v.string(), username: v.string() });
export type BotUser = v.InferOutput<typeof BotUserSchema>;

const OverwriteSchema = v.looseObject({
  id: v.string(),
  type: v.picklist([0, 1]),
  allow: v.string(),
  deny: v.string(),
});

export const ChannelSchema = v.looseObject({
  guild_id: v.optional(v.string()),
  name: v.optional(v.nullable(v.string())),
  permission_overwrites: v.optional(v.array(OverwriteSchema)),
});

export const GuildSchema = v.looseObject({
  owner_id: v.string(),
  roles: v.array(v.looseObject({ id: v.string(), permissions: v.string() })),
});

export const MemberSchema = v.looseObject({ roles: v.array(v.string()) });

export const MessageSchema = v.looseObject({ id: v.string() });

/** A Discord answer checked against its schema; a mismatch is a `malformed` ServiceError. */
export function discordAnswer<const S extends v.GenericSchema>(
  value: unknown,
  schema: S,
  what: string,
): v.InferOutput<S> {
  return checkSchema(
    value,
    schema,
    (problem) =>
      new ServiceError(
        'Discord',
        'malformed',
        `Discord answered ${what} of an unexpected shape (${problem})`,
      ),
  );
}
