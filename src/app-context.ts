import { type Actions, createActions } from './actions/actions.js';
import { checks as registeredChecks } from './checks/index.js';
import type { Check, CheckDeps } from './checks/types.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config/index.js';
import { createRepositories, type Database, openDatabase, type Repositories } from './db/index.js';
import type { FirewallBackend } from './firewall/types.js';
import { createLogger, type Logger } from './logger.js';
import { PlexClient } from './plex/plex-client.js';
import type { RemoteAccessPort } from './remote-access/remote-access-port.js';
import { ScanRunner } from './scan/scan-runner.js';

/** Everything long-lived, built once in the composition root and passed down explicitly. */
export interface AppContext {
  readonly config: Config;
  readonly db: Database;
  readonly repos: Repositories;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly plex: PlexClient;
  readonly runner: ScanRunner;
  /** Bans, proposals, allow-list, firewall; started by the bot (reconcile + expiry scheduler). */
  readonly actions: Actions;
  close(): void;
}

export interface AppContextOverrides {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly checks?: readonly Check[];
  readonly firewall?: FirewallBackend;
  readonly remoteAccess?: RemoteAccessPort;
}

export function secretsOf(config: Config): string[] {
  return [config.discord?.token, config.plex.token].filter((s): s is string => typeof s === 'string');
}

export function createAppContext(config: Config, overrides: AppContextOverrides = {}): AppContext {
  const logger =
    overrides.logger ??
    createLogger({ level: config.core.logLevel, format: config.core.logFormat, secrets: secretsOf(config) });
  const clock = overrides.clock ?? systemClock;
  const db = openDatabase(config.core.databasePath);
  const repos = createRepositories(db);
  const abandoned = repos.scanRuns.abandonUnfinished(clock.now());
  if (abandoned > 0)
    logger.warn('scans interrupted by the last shutdown were marked abandoned', { abandoned });
  const plex = new PlexClient({
    baseUrl: config.plex.url,
    token: config.plex.token,
    clientIdentifier: repos.settings.plexClientIdentifier(),
    timeoutMs: config.plex.timeoutMs,
  });
  const checkDeps: CheckDeps = { config, clock, plex };
  const runner = new ScanRunner({
    checks: overrides.checks ?? registeredChecks,
    checkDeps,
    repos,
    logger,
    clock,
    defaultTimeoutMs: config.core.checkTimeoutMs,
  });
  const actions = createActions({
    config,
    db,
    logger,
    clock,
    firewall: overrides.firewall,
    remoteAccess: overrides.remoteAccess,
    learnedPublicIp: () => repos.settings.get('network.publicIp'),
  });
  let closed = false;
  return {
    config,
    db,
    repos,
    logger,
    clock,
    plex,
    runner,
    actions,
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
