import type { Client } from 'discord.js';
import { ProposalBoard } from '../actions/proposal-board.js';
import { createDiscordClient } from '../adapters/discord/discord-client.js';
import { AlertOutbox } from '../alerts/alert-outbox.js';
import type { BotContext } from '../commands/types.js';
import type { DiscordConfig } from '../config/index.js';
import { events } from '../events/index.js';
import { type ScanSchedule, scheduleScans } from '../exposure/scheduled-scan.js';
import { type ReviewSchedule, scheduleReviews } from '../logs/scheduled-review.js';
import type { AppContext } from './app-context.js';
import { registerCommands } from './register-commands.js';

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
  const board = new ProposalBoard({
    rest: client.rest,
    channelId: discord.alertChannelId,
    actions: app.actions,
    config: app.config.actions,
    logger: app.logger,
  });
  let scans: ScanSchedule | undefined;
  let reviews: ReviewSchedule | undefined;
  const ctx: BotContext = {
    ...app,
    discord,
    client,
    alerts,
    board,
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
  await startActions(app, board);
  await app.remoteAccess.start();
  if (options.schedule ?? true) {
    scans = scheduleScans(app, alerts);
    reviews = scheduleReviews(app, alerts, board);
  }
  return {
    client,
    ctx,
    async stop() {
      scans?.cancel();
      await reviews?.stop();
      await alerts.stop();
      await app.actions.stop();
      await app.remoteAccess.stop();
      await app.runner.stop();
      // The round's digest must be queued before the caller closes the database.
      await scans?.settled();
      await client.destroy();
    },
  };
}

/**
 * Reconciles the firewall with the database, closes proposals a crash left running, lifts bans
 * that ran out while the bot was down, and starts the expiry scheduler. Drift is reported in
 * the alert channel. A firewall that cannot be prepared is reported, not fatal: the bot still
 * answers, and /block proposals fail with a clear outcome.
 */
async function startActions(app: AppContext, board: ProposalBoard): Promise<void> {
  try {
    const { reconcile } = await app.actions.start({ onProposalClosed: (p) => board.update(p) });
    const list = (items: readonly string[]) =>
      items.length > 10 ? `${items.slice(0, 10).join(', ')} and ${items.length - 10} more` : items.join(', ');
    const lines: string[] = [];
    if (reconcile.reapplied.length > 0) lines.push(`re-applied ${list(reconcile.reapplied)}`);
    if (reconcile.failed.length > 0) lines.push(`could not re-apply ${list(reconcile.failed)}`);
    if (reconcile.unknown.length > 0)
      lines.push(`in the firewall but not in the database: ${list(reconcile.unknown.map((e) => e.target))}`);
    if (lines.length > 0) {
      await board
        .notice(`Firewall check on start (${app.actions.firewall.name}): ${lines.join('; ')}.`)
        .catch((error: unknown) => app.logger.warn('could not post the firewall check', { error }));
    }
  } catch (error) {
    app.logger.error('the firewall could not be prepared; bans will fail until it is fixed', { error });
    await board
      .notice(
        `The firewall backend (${app.actions.firewall.name}) could not be prepared on start; blocks will fail until it is fixed. See the bot's log.`,
      )
      .catch(() => undefined);
  }
}
