import { existsSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { APIApplicationCommandOption } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, secretsOf } from '../../src/app/app-context.js';
import type { BotHandle } from '../../src/app/bot.js';
import { commands } from '../../src/commands/index.js';
import { runScheduledScan } from '../../src/exposure/scheduled-scan.js';
import { createLogger } from '../../src/kernel/logger.js';
import { useBotLab } from '../harness/bot-lab.js';
import type { FakeDiscord, RecordedCall } from '../harness/fake-discord.js';
import type { FakePlex } from '../harness/fake-plex.js';
import { TEST_DISCORD_TOKEN, TEST_IDS, testConfig } from '../harness/test-env.js';

const CANARY = `/tmp/pw-pwned-${process.pid}`;

/** Hostile values for every user-typed option. */
const PAYLOADS: readonly string[] = [
  ';id',
  `; touch ${CANARY}`,
  `$(touch ${CANARY})`,
  `\`touch ${CANARY}\``,
  `x | sh -c 'touch ${CANARY}'`,
  `&& touch ${CANARY} #`,
  '../../../../etc/passwd',
  'A'.repeat(10_240),
  '\u202Egpj.exe',
  'plex\u200b-reachable',
  'plех-reachable', // Cyrillic х and е
  'ｐｌｅｘ－ｒｅａｃｈａｂｌｅ',
  '@everyone',
  '@here please',
  `<@&${TEST_IDS.approverRole}>`,
  `<@${TEST_IDS.otherUser}>`,
  'fine\n@everyone\n```',
  '\u0000\u0007\u001b[31mred',
  '%00%0a@everyone',
];

interface Site {
  /** Subcommand group and subcommand names leading to the option. */
  readonly path: readonly string[];
  readonly option: APIApplicationCommandOption;
  readonly siblings: readonly APIApplicationCommandOption[];
}

type AnyOption = APIApplicationCommandOption & {
  options?: AnyOption[];
  choices?: { value: string | number }[];
  min_value?: number;
  required?: boolean;
};

/** Every string and user option of a command, including those inside subcommands. */
function sites(options: readonly AnyOption[] = [], path: readonly string[] = []): Site[] {
  const found: Site[] = [];
  for (const option of options) {
    if (option.type === 1 || option.type === 2)
      found.push(...sites(option.options ?? [], [...path, option.name]));
    else if (option.type === 3 || option.type === 6 || option.type === 9)
      found.push({ path, option, siblings: options });
  }
  return found;
}

/**
 * A valid value for an option that is not under attack, so that the hostile one gets past the
 * others' validation and reaches the deeper code paths (the proposal text, the audit log).
 * Guessed from the option's name; documentation addresses only (RFC 5737).
 */
const BENIGN_BY_NAME: readonly [RegExp, string][] = [
  [/cidr|network|range/, '203.0.113.0/24'],
  [/ip|address/, '203.0.113.7'],
  [/duration|for|until|time/, '1h'],
  [/check/, 'plex-reachable'],
];

function benign(option: AnyOption): string | number | boolean | undefined {
  if (option.choices?.[0]) return option.choices[0].value;
  switch (option.type) {
    case 3:
      return BENIGN_BY_NAME.find(([pattern]) => pattern.test(option.name))?.[1] ?? 'x';
    case 4:
    case 10:
      return option.min_value ?? 1;
    case 5:
      return false;
    case 6:
    case 9:
      return TEST_IDS.otherUser;
    case 7:
      return TEST_IDS.channel;
    case 8:
      return TEST_IDS.approverRole;
    default:
      return undefined;
  }
}

function optionTree(site: Site, value: string, focused = false): unknown[] {
  let leaf: unknown[] = site.siblings
    // The attacked option, and a valid value for every other option (required or not).
    .filter((o) => o.type !== 1 && o.type !== 2)
    .map((o) => ({
      name: o.name,
      type: o.type,
      value: o.name === site.option.name ? value : benign(o as AnyOption),
      ...(focused && o.name === site.option.name ? { focused: true } : {}),
    }))
    .filter((o) => o.value !== undefined);
  for (let i = site.path.length - 1; i >= 0; i -= 1) {
    leaf = [{ name: site.path[i], type: i === site.path.length - 1 ? 1 : 2, options: leaf }];
  }
  return leaf;
}

/** Every text Discord would render from a REST body: content and all embed strings. */
function renderedText(body: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown, key = '') => {
    if (typeof value === 'string') {
      if (!['nonce', 'url', 'type', 'custom_id', 'timestamp'].includes(key)) out.push(value);
    } else if (Array.isArray(value)) for (const item of value) walk(item, key);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (k !== 'allowed_mentions') walk(v, k);
    }
  };
  walk(body);
  return out;
}

/** The message part of a REST body (interaction callbacks wrap it in `data`). */
function messageOf(call: RecordedCall): Record<string, unknown> | undefined {
  const body = call.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return undefined;
  const message = call.path.endsWith('/callback') ? (body.data as Record<string, unknown> | undefined) : body;
  if (!message || (message.content === undefined && message.embeds === undefined)) return undefined;
  return message;
}

const LIVE_MASS_MENTION = /@(everyone|here)\b|<@&\d+>/;

describe('abuse: hostile input to every option of every registered command', () => {
  const lab = useBotLab({ scope: 'file' });
  let discord: FakeDiscord;
  let plex: FakePlex;
  const logLines: string[] = [];
  let app: AppContext;
  let bot: BotHandle;

  beforeAll(async () => {
    rmSync(CANARY, { force: true });
    discord = lab.discord;
    plex = lab.plex;
    const env = { PLEX_TIMEOUT: '500ms' };
    const config = testConfig(lab.env(env), true);
    const stream = new Writable({
      write(chunk, _e, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    // Everything at debug, through the production logger: the captured output is what an admin's journal gets.
    const logger = createLogger({ level: 'debug', format: 'json', secrets: secretsOf(config), stream });
    ({ app, bot } = await lab.start({ env, overrides: { logger } }));
  });

  afterAll(() => {
    rmSync(CANARY, { force: true });
  });

  /** Dispatches one interaction and waits until the bot has finished answering it. */
  async function dispatch(name: string, options: unknown[], who: { userId: string; roles?: string[] }) {
    const { id, token } = discord.interaction({ name, options, ...who });
    const callback = await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`), 10_000);
    const type = (callback.body as { type?: number }).type;
    if (type === 5) {
      await discord.waitFor((c) => c.method === 'PATCH' && c.path.includes(`/${token}/messages/`), 10_000);
    }
    return type;
  }

  const targets = commands.flatMap((command) =>
    sites(command.data.options as AnyOption[] | undefined).map((site) => ({ command: command.name, site })),
  );

  it('finds the options to attack in the registry (the test grows with every new command)', () => {
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.map((t) => t.command)).toContain('scan');
  });

  // Every accepted /block posts a proposal with two reactions, paced like Discord paces them (the
  // strict fake's reaction bucket, 1 per 250 ms): this takes seconds, more on a loaded machine.
  it('answers every hostile value (refused or handled), executes nothing, and pings no one', async () => {
    for (const { command, site } of targets) {
      for (const payload of PAYLOADS) {
        const type = await dispatch(command, optionTree(site, payload), { userId: TEST_IDS.approverUser });
        expect([4, 5], `${command} ${site.option.name} ${payload.slice(0, 20)}`).toContain(type);
      }
    }
    // The same from someone who is not an approver: refused before any option is read.
    for (const { command, site } of targets.slice(0, 3)) {
      const type = await dispatch(command, optionTree(site, '@everyone'), { userId: TEST_IDS.otherUser });
      expect(type).toBe(4);
    }
    expect(existsSync(CANARY)).toBe(false);

    const bodies = discord.calls.map((call) => ({ call, message: messageOf(call) })).filter((b) => b.message);
    expect(bodies.length).toBeGreaterThan(targets.length * PAYLOADS.length * 0.5);
    for (const { call, message } of bodies) {
      const where = `${call.method} ${call.path.replace(/\/[A-Za-z0-9_-]{40,}/, '/<token>')}`;
      expect(message?.allowed_mentions, where).toEqual(expect.objectContaining({ parse: [] }));
      for (const text of renderedText(message)) {
        expect(LIVE_MASS_MENTION.test(text), `${where}: ${text.slice(0, 120)}`).toBe(false);
      }
      expect(String(message?.content ?? '').length, where).toBeLessThanOrEqual(2_000);
    }
  }, 60_000);

  it('answers forged autocomplete requests with hostile partial input (empty or handled, never a crash)', async () => {
    for (const { command, site } of targets) {
      for (const payload of ['@everyone', 'A'.repeat(10_240), `$(touch ${CANARY})`]) {
        const { id } = discord.interaction({
          name: command,
          type: 4,
          options: optionTree(site, payload, true),
          userId: TEST_IDS.approverUser,
        });
        const callback = await discord.waitFor((c) => c.path.startsWith(`/interactions/${id}/`), 10_000);
        const body = callback.body as { type?: number; data?: { choices?: { name: string }[] } };
        expect(body.type).toBe(8);
        for (const choice of body.data?.choices ?? [])
          expect(LIVE_MASS_MENTION.test(choice.name)).toBe(false);
      }
    }
    expect(existsSync(CANARY)).toBe(false);
  });

  it('stays responsive afterwards', async () => {
    const type = await dispatch('help', [], { userId: TEST_IDS.approverUser });
    expect(type).toBe(5);
    const statusType = await dispatch('status', [], { userId: TEST_IDS.approverUser });
    expect(statusType).toBe(5);
  });

  it('never writes a token to the logs or to Discord, through scans, alerts, errors and commands', async () => {
    plex.state.token = 'rotated-token-000000'; // a high finding: alert + scan report
    await runScheduledScan(app, bot.ctx.alerts);
    await dispatch('scan', [], { userId: TEST_IDS.approverUser });
    plex.state.mode = 'garbage'; // a failing check: error paths
    await dispatch('scan', [], { userId: TEST_IDS.approverUser });
    await runScheduledScan(app, bot.ctx.alerts);
    plex.state.mode = 'normal';
    await dispatch('status', [], { userId: TEST_IDS.approverUser });
    // An unexpected error inside a command goes through the generic error pipeline.
    discord.restFault = (method, path) =>
      method === 'POST' && path.endsWith('/messages') ? 'refuse' : undefined;
    await runScheduledScan(app, bot.ctx.alerts);
    discord.restFault = undefined;
    expect(logLines.length).toBeGreaterThan(10);

    const plexToken = app.config.plex.token ?? '';
    const secrets = [TEST_DISCORD_TOKEN, plexToken, 'secret-plex-online-token'];
    const log = logLines.join('');
    const rest = JSON.stringify(discord.calls.map((c) => ({ path: c.path, body: c.body })));
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(log.includes(secret), `log contains ${secret.slice(0, 6)}…`).toBe(false);
      expect(rest.includes(secret), `REST bodies contain ${secret.slice(0, 6)}…`).toBe(false);
    }
    // The Authorization header is the one place the Discord token may go.
    expect(discord.calls.some((c) => c.authorization === `Bot ${TEST_DISCORD_TOKEN}`)).toBe(true);
  });
});
