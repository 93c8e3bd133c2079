import type { Client } from 'discord.js';
import { ProposalBoard } from '../actions/proposal-board.js';
import { currentApprovers } from '../adapters/discord/current-approvers.js';
import { createDiscordClient } from '../adapters/discord/discord-client.js';
import { AlertOutbox } from '../alerts/alert-outbox.js';
import { reportJob } from '../alerts/report-job.js';
import type { BotContext } from '../commands/types.js';
import type { DiscordConfig } from '../config/index.js';
import { events } from '../events/index.js';
import { scanJob } from '../exposure/scheduled-scan.js';
import type { Job } from '../kernel/job.js';
import type { Service } from '../kernel/service.js';
import { ServiceGroup } from '../kernel/service-group.js';
import { reviewJob } from '../logs/scheduled-review.js';
import type { AppContext } from './app-context.js';
import { createLiveWatcher } from './live-plex.js';
import { registerCommands } from './register-commands.js';

export interface BotHandle {
  readonly client: Client;
  readonly ctx: BotContext;
  /**
   * Stops the services in reverse: aborts a running scan, waits for every running job (the
   * round's digest is queued before this returns), lets running actions settle, disconnects.
   * Does not close the database.
   */
  stop(): Promise<void>;
}

export interface BotOptions {
  /** Off in tests that trigger scans themselves. */
  readonly schedule?: boolean;
  /** The Plex live watcher (notification websocket, /identity polls); default: with the schedule. */
  readonly live?: boolean;
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
    jobs: app.jobs,
    onDelivered: (fingerprints) => app.repos.findings.markNotified(fingerprints, app.clock.now()),
  });
  const board = new ProposalBoard({
    rest: client.rest,
    channelId: discord.alertChannelId,
    actions: app.actions,
    config: app.config.actions,
    logger: app.logger,
    discord,
    post: (content) => alerts.post([{ content, embeds: [] }]),
    stillApprovers: (ids) => currentApprovers(client, discord, ids),
    addressFacts: app.addressFacts,
  });
  let scans: Job | undefined;
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
  const session: Service = {
    name: 'discord',
    async start() {
      client.rest.setToken(discord.token);
      const registered = await registerCommands(discord, client.rest);
      app.logger.info('slash commands registered', { count: registered, guild: discord.guildId });
      const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
      await client.login(discord.token);
      await ready;
    },
    stop: () => client.destroy(),
  };
  const actions: Service = {
    name: 'actions',
    async start() {
      await startActions(app, board);
      // Reactions given while the bot was offline: read back once the actions can run them.
      await board
        .goLive()
        .catch((error: unknown) => app.logger.warn('could not read back proposal reactions', { error }));
    },
    stop: () => app.actions.stop(),
  };
  // A running scan is aborted first, so stopping the scheduler does not wait out its checks.
  const runner: Service = {
    name: 'scan-runner',
    start: async () => undefined,
    stop: () => app.runner.stop(),
  };
  if (options.schedule ?? true) {
    scans = app.jobs.add(scanJob(app, alerts, board));
    const reviews = reviewJob(app, alerts, board);
    if (reviews) app.jobs.add(reviews);
    app.jobs.add(reportJob(app, client.rest, discord.alertChannelId));
  }
  // Each service relies on those before it while it runs: the jobs post through Discord and
  // act on reconciled bans; they stop before the actions settle and the session closes.
  const services: Service[] = [session, actions, app.jobs];
  // Plex's notification socket triggers checks through the runner and posts through the outbox.
  if (options.live ?? options.schedule ?? true) {
    const live = createLiveWatcher(app, alerts);
    services.push({ name: 'plex-live', start: async () => live.start(), stop: () => live.stop() });
  }
  services.push(runner);
  const group = new ServiceGroup(services, app.logger);
  await group.start();
  return {
    client,
    ctx,
    stop: () => group.stop(),
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
    const { reconcile } = await app.actions.start({
      onProposalClosed: (p) => board.update(p),
      onBanStuck: (ban) =>
        board.notice(
          `The ban of ${ban.target} ended, but ${app.actions.firewall.name} refused to remove it ${ban.removalFailures} times; the bot stopped trying. It may still be blocked: check the firewall, then /unblock ${ban.target}. Details in the bot's log; /status lists it.`,
        ),
    });
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
