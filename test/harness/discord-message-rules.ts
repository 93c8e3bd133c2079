/**
 * Discord's validation of a message body, as the fake Discord applies it: the limits from
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits and the
 * content / embeds limits of https://discord.com/developers/docs/resources/message#create-message,
 * answered in the 50035 "Invalid Form Body" shape Discord uses (errors nested by JSON path, each
 * leaf an `_errors` list), as recorded in public bug reports such as
 * https://github.com/NelsonDane/auto-rsa/pull/451:
 * `{"message": "Invalid Form Body", "code": 50035, "errors": {"embeds": {"_errors": [{"code":
 * "MAX_EMBED_SIZE_EXCEEDED", "message": "Embed size exceeds maximum size of 6000"}]}}}`.
 */

export const DISCORD_LIMITS = {
  content: 2_000,
  embeds: 10,
  /** Across title, description, field names and values, footer text and author name of all embeds. */
  embedTotal: 6_000,
  title: 256,
  description: 4_096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1_024,
  footer: 2_048,
  author: 256,
  /** https://discord.com/developers/docs/components/reference#action-row: up to 5 buttons per row. */
  buttonsPerRow: 5,
  /** https://discord.com/developers/docs/components/reference#button: custom_id up to 100. */
  customId: 100,
  /** https://discord.com/developers/docs/components/reference: up to 5 action rows per message. */
  rows: 5,
  /** https://discord.com/developers/docs/resources/message#create-message: nonce up to 25 characters. */
  nonce: 25,
} as const;

interface EmbedBody {
  title?: unknown;
  description?: unknown;
  fields?: unknown;
  footer?: { text?: unknown };
  author?: { name?: unknown };
}

type ErrorTree = { [key: string]: ErrorTree } & { _errors?: { code: string; message: string }[] };

export interface InvalidFormBody {
  readonly message: 'Invalid Form Body';
  readonly code: 50035;
  readonly errors: ErrorTree;
}

const len = (value: unknown): number => (typeof value === 'string' ? value.length : 0);

/** Undefined when Discord would accept the body, else the 400 body it answers with. */
export function validateMessageBody(body: unknown): InvalidFormBody | undefined {
  const errors: ErrorTree = {};
  const add = (path: readonly (string | number)[], code: string, message: string) => {
    let node: ErrorTree = errors;
    for (const key of path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as ErrorTree;
    }
    node._errors ??= [];
    node._errors.push({ code, message });
  };
  const max = (path: readonly (string | number)[], value: unknown, limit: number) => {
    if (len(value) > limit) add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${limit} or fewer in length.`);
  };
  const payload = (body ?? {}) as {
    content?: unknown;
    embeds?: unknown;
    nonce?: unknown;
    components?: unknown;
  };
  max(['content'], payload.content, DISCORD_LIMITS.content);
  if (typeof payload.nonce === 'string') max(['nonce'], payload.nonce, DISCORD_LIMITS.nonce);
  const embeds = Array.isArray(payload.embeds) ? (payload.embeds as EmbedBody[]) : [];
  if (embeds.length > DISCORD_LIMITS.embeds)
    add(['embeds'], 'BASE_TYPE_MAX_LENGTH', `Must be ${DISCORD_LIMITS.embeds} or fewer in length.`);
  let total = 0;
  embeds.forEach((embed, i) => {
    max(['embeds', i, 'title'], embed.title, DISCORD_LIMITS.title);
    max(['embeds', i, 'description'], embed.description, DISCORD_LIMITS.description);
    max(['embeds', i, 'footer', 'text'], embed.footer?.text, DISCORD_LIMITS.footer);
    max(['embeds', i, 'author', 'name'], embed.author?.name, DISCORD_LIMITS.author);
    total += len(embed.title) + len(embed.description) + len(embed.footer?.text) + len(embed.author?.name);
    const fields = Array.isArray(embed.fields) ? (embed.fields as { name?: unknown; value?: unknown }[]) : [];
    if (fields.length > DISCORD_LIMITS.fields)
      add(
        ['embeds', i, 'fields'],
        'BASE_TYPE_MAX_LENGTH',
        `Must be ${DISCORD_LIMITS.fields} or fewer in length.`,
      );
    fields.forEach((field, j) => {
      if (len(field.name) === 0)
        add(['embeds', i, 'fields', j, 'name'], 'BASE_TYPE_REQUIRED', 'This field is required');
      if (len(field.value) === 0)
        add(['embeds', i, 'fields', j, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
      max(['embeds', i, 'fields', j, 'name'], field.name, DISCORD_LIMITS.fieldName);
      max(['embeds', i, 'fields', j, 'value'], field.value, DISCORD_LIMITS.fieldValue);
      total += len(field.name) + len(field.value);
    });
  });
  if (total > DISCORD_LIMITS.embedTotal)
    add(
      ['embeds'],
      'MAX_EMBED_SIZE_EXCEEDED',
      `Embed size exceeds maximum size of ${DISCORD_LIMITS.embedTotal}`,
    );
  const rows = Array.isArray(payload.components) ? (payload.components as { components?: unknown }[]) : [];
  if (rows.length > DISCORD_LIMITS.rows)
    add(['components'], 'BASE_TYPE_MAX_LENGTH', `Must be ${DISCORD_LIMITS.rows} or fewer in length.`);
  rows.forEach((row, i) => {
    const buttons = Array.isArray(row.components) ? (row.components as { custom_id?: unknown }[]) : [];
    if (buttons.length > DISCORD_LIMITS.buttonsPerRow)
      add(['components', i, 'components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
    buttons.forEach((button, j) => {
      max(['components', i, 'components', j, 'custom_id'], button.custom_id, DISCORD_LIMITS.customId);
    });
  });
  return Object.keys(errors).length === 0 ? undefined : { message: 'Invalid Form Body', code: 50035, errors };
}
