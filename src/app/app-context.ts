import { type Actions, createActions } from '../actions/actions.js';
import type { RemoteAccessPort } from '../actions/remote-access-port.js';
import { RemoteAccessService } from '../actions/remote-access-service.js';
import type { FirewallBackend } from '../adapters/firewall/types.js';
import { PlexClient } from '../adapters/plex/plex-client.js';
import { AllowlistRepository } from '../adapters/sqlite/allowlist-repository.js';
import {
  createRepositories,
  type Database,
  openDatabase,
  type Repositories,
} from '../adapters/sqlite/index.js';
import { checks as registeredChecks } from '../checks/index.js';
import type { Check, CheckDeps } from '../checks/types.js';
import type { Config } from '../config/index.js';
import { ScanRunner } from '../exposure/scan-runner.js';
import { type Clock, systemClock } from '../kernel/clock.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import { LogReviewer } from '../logs/log-reviewer.js';
import { AddressScope } from '../net/address-scope.js';

/** Everything long-lived, built once in the composition root and passed down explicitly. */
export interface AppContext {
  readonly config: Config;
  readonly db: Database;
  readonly repos: Repositories;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly plex: PlexClient;
  /** Whose address is this: asked by the block policy, the log review, the checks, the commands. */
  readonly scope: AddressScope;
  readonly runner: ScanRunner;
  readonly reviewer: LogReviewer;
  /** Bans, proposals, allow-list, firewall; started by the bot (reconcile + expiry scheduler). */
  readonly actions: Actions;
  /** Plex + router remote-access switching, with its persistent switch-off; started by the bot. */
  readonly remoteAccess: RemoteAccessService;
  close(): void;
}

export interface AppContextOverrides {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly checks?: readonly Check[];
  /** Extra allow-list (tests); the configuration and the database's /allow entries always apply. */
  readonly isAllowed?: (ip: string) => boolean;
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
  const allowEntries = new AllowlistRepository(db);
  const scope = new AddressScope({
    lanCidrs: config.network.lanCidrs,
    allowlist: config.network.allowlist,
    publicIp: config.network.publicIp,
    allowEntries: (now) => allowEntries.active(now),
    learned: repos.publicAddresses,
    extraAllowed: overrides.isAllowed,
    now: () => clock.now(),
  });
  const checkDeps: CheckDeps = { config, clock, plex, scope };
  const runner = new ScanRunner({
    checks: overrides.checks ?? registeredChecks,
    checkDeps,
    repos,
    logger,
    clock,
    defaultTimeoutMs: config.core.checkTimeoutMs,
  });
  const remoteAccess = RemoteAccessService.create({ config, db, plex, clock, logger });
  const actions = createActions({
    config,
    db,
    logger,
    clock,
    firewall: overrides.firewall,
    remoteAccess: overrides.remoteAccess ?? remoteAccess,
    scope,
  });
  const reviewer = new LogReviewer({
    logs: config.logs,
    scope,
    repo: repos.logReview,
    clock,
    logger: logger.child({ component: 'log-review' }),
  });
  let closed = false;
  return {
    config,
    db,
    repos,
    logger,
    clock,
    plex,
    scope,
    runner,
    reviewer,
    actions,
    remoteAccess,
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
