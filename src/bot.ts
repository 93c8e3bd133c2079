import type { Client } from 'discord.js';
import { AlertOutbox } from './alerts/alert-outbox.js';
import type { AppContext } from './app-context.js';
import type { BotContext } from './commands/types.js';
import type { DiscordConfig } from './config/index.js';
import { createDiscordClient } from './discord/discord-client.js';
import { registerCommands } from './discord/register-commands.js';
import { events } from './events/index.js';
import { type ScanSchedule, scheduleScans } from './scan/scheduled-scan.js';

export interface BotHandle {
  readonly client: Client;
  readonly ctx: BotContext;
  /** Stops scheduling, lets a running scan settle, disconnects. Does not close the database. */
  stop(): Promise<void>;
}

export interface BotOptions {
  /** Off in tests that trigger scans themselves. */
  readonly schedule?: boolean;
}

export async function startBot(
  app: AppContext,
  discord: DiscordConfig,
  options: BotOptions = {},
): Promise<BotHandle> {
  const client = createDiscordClient(discord);
  const alerts = new AlertOutbox({
    repo: app.repos.outbox,
    rest: client.rest,
    channelId: discord.alertChannelId,
    clock: app.clock,
    logger: app.logger,
  });
  let scans: ScanSchedule | undefined;
  const ctx: BotContext = {
    ...app,
    discord,
    client,
    alerts,
    startedAt: app.clock.now(),
    nextScanAt: () => scans?.nextAt(),
  };
  for (const handler of events) {
    // The registry ties each handler to its event's argument types; here they pass through.
    const execute = handler.execute as (ctx: BotContext, ...args: unknown[]) => Promise<void>;
    const listener = (...args: unknown[]) => {
      execute(ctx, ...args).catch((error: unknown) =>
        app.logger.error('event handler failed', { event: handler.id, error }),
      );
    };
    if (handler.once) client.once(handler.event, listener);
    else client.on(handler.event, listener);
  }
  client.on('error', (error) => app.logger.error('Discord client error', { error }));
  client.rest.setToken(discord.token);
  const registered = await registerCommands(discord, client.rest);
  app.logger.info('slash commands registered', { count: registered, guild: discord.guildId });
  const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
  await client.login(discord.token);
  await ready;
  if (options.schedule ?? true) scans = scheduleScans(app, alerts);
  return {
    client,
    ctx,
    async stop() {
      scans?.cancel();
      alerts.stop();
      await app.runner.stop();
      await client.destroy();
    },
  };
}
