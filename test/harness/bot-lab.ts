import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { AppContext, AppContextOverrides } from '../../src/app/app-context.js';
import { type BotHandle, startBot } from '../../src/app/bot.js';
import type { Env } from '../../src/config/index.js';
import { validateMessageBody } from './discord-message-rules.js';
import { FakeDiscord, type StoredMessage } from './fake-discord.js';
import { FakePlex, type FakePlexState } from './fake-plex.js';
import { botEnv, type OptionalApproverKey, tempDir, testContext } from './test-env.js';

export interface BotLabStart {
  /** Keys on top of botEnv(); applied last. */
  readonly env?: Env;
  /** Approver keys this configuration deliberately leaves out. */
  readonly omit?: readonly OptionalApproverKey[];
  /** Clock, checks, logger, remote access… for createAppContext. */
  readonly overrides?: AppContextOverrides;
  /** Scheduled scans and reviews; off by default (tests trigger them). */
  readonly schedule?: boolean;
}

/**
 * The whole bot against loopback fakes: a temp folder with the database, a strict fake Discord,
 * a fake Plex, and the real bot (real discord.js) started on demand. One per test (useBotLab) so
 * every e2e file sets up the same way and cleans up everything it started.
 */
export class BotLab {
  private opened: { dir: ReturnType<typeof tempDir>; discord: FakeDiscord; plex: FakePlex } | undefined;
  private running: { app: AppContext; bot: BotHandle } | undefined;

  constructor(private readonly plexState: Partial<FakePlexState> = {}) {}

  async open(): Promise<void> {
    const dir = tempDir();
    const discord = new FakeDiscord();
    const plex = new FakePlex(this.plexState);
    await discord.start();
    await plex.start();
    this.opened = { dir, discord, plex };
  }

  private get parts() {
    if (!this.opened) throw new Error('BotLab not open');
    return this.opened;
  }

  get dir(): string {
    return this.parts.dir.path;
  }
  get discord(): FakeDiscord {
    return this.parts.discord;
  }
  get plex(): FakePlex {
    return this.parts.plex;
  }
  get databasePath(): string {
    return join(this.dir, 'db.sqlite');
  }

  /** The started bot's context; throws before start(). */
  get app(): AppContext {
    if (!this.running) throw new Error('BotLab: the bot is not running');
    return this.running.app;
  }
  get bot(): BotHandle {
    if (!this.running) throw new Error('BotLab: the bot is not running');
    return this.running.bot;
  }
  get started(): boolean {
    return this.running !== undefined;
  }

  /** The environment the bot gets, for a CLI child or a direct start. */
  env(extra: Env = {}, omit: readonly OptionalApproverKey[] = []): Env {
    return botEnv(this.discord, { databasePath: this.databasePath, plexUrl: this.plex.url }, extra, omit);
  }

  async start(options: BotLabStart = {}): Promise<{ app: AppContext; bot: BotHandle }> {
    if (this.running) throw new Error('BotLab: already running; use restart()');
    const app = testContext(this.env(options.env, options.omit), options.overrides);
    try {
      if (!app.config.discord) throw new Error('BotLab: no Discord config');
      const bot = await startBot(app, app.config.discord, { schedule: options.schedule ?? false });
      this.running = { app, bot };
      return this.running;
    } catch (error) {
      app.close();
      throw error;
    }
  }

  /** Stops the bot and closes its database (the fakes keep running, like Discord does). */
  async stopBot(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    await running.bot.stop();
    running.app.close();
  }

  async restart(options: BotLabStart = {}): Promise<{ app: AppContext; bot: BotHandle }> {
    await this.stopBot();
    return this.start(options);
  }

  async close(): Promise<void> {
    await this.stopBot();
    const opened = this.opened;
    this.opened = undefined;
    if (!opened) return;
    await opened.discord.stop();
    await opened.plex.stop();
    opened.dir.remove();
  }
}

/** A BotLab opened before each test (or once per file with `scope: 'file'`) and closed after. */
export function useBotLab(options: { plex?: Partial<FakePlexState>; scope?: 'test' | 'file' } = {}): BotLab {
  const lab = new BotLab(options.plex);
  if (options.scope === 'file') {
    beforeAll(() => lab.open());
    afterAll(() => lab.close());
  } else {
    beforeEach(() => lab.open());
    afterEach(() => lab.close());
  }
  return lab;
}

/**
 * The reply of an interaction as Discord holds it, once the bot has filled it in; Discord refused
 * nothing on the way, and what it holds passes the same message rules again.
 */
export async function filledReply(discord: FakeDiscord, interactionId: string): Promise<StoredMessage> {
  await expect
    .poll(
      () => {
        const m = discord.originalResponse(interactionId);
        return m !== undefined && (m.content !== '' || m.embeds.length > 0);
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  const reply = discord.originalResponse(interactionId);
  if (!reply) throw new Error('no reply');
  expect(discord.refused).toEqual([]);
  expect(validateMessageBody({ content: reply.content, embeds: reply.embeds })).toBeUndefined();
  return reply;
}
