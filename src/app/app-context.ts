import { assertAccountOwner } from '../actions/account-owner.js';
import { createActions } from '../actions/actions.js';
import type { RemoteAccessPort } from '../actions/remote-access-port.js';
import { RemoteAccessService } from '../actions/remote-access-service.js';
import type { FirewallBackend } from '../adapters/firewall/types.js';
import { InternetDbClient } from '../adapters/internetdb/internetdb-client.js';
import { CityDatabase } from '../adapters/ip-facts/city-database.js';
import { sharedOfflineAddressFacts } from '../adapters/ip-facts/offline-address-facts.js';
import { PlexClient } from '../adapters/plex/plex-client.js';
import { PlexTvClient } from '../adapters/plex/plex-tv-client.js';
import { openStore } from '../adapters/sqlite/index.js';
import { checks as registeredChecks } from '../checks/index.js';
import type { Check, CheckDeps } from '../checks/types.js';
import type { Config } from '../config/index.js';
import type { AddressFactsLookup } from '../domain/address-facts.js';
import type { AddressLocationLookup } from '../domain/address-location.js';
import type { AppContext } from '../domain/app-context.js';
import { ScanRunner } from '../exposure/scan-runner.js';
import { type Clock, systemClock, type Timers } from '../kernel/clock.js';
import { JobScheduler } from '../kernel/job-scheduler.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import { LogReviewer } from '../logs/log-reviewer.js';
import { AddressScope } from '../net/address-scope.js';

export type { AppContext } from '../domain/app-context.js';

export interface AppContextOverrides {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** The scheduler's timers (tests: the fake clock); default Node's. */
  readonly timers?: Timers;
  readonly checks?: readonly Check[];
  /** Extra allow-list (tests); the configuration and the database's /allow entries always apply. */
  readonly isAllowed?: (ip: string) => boolean;
  readonly firewall?: FirewallBackend;
  readonly remoteAccess?: RemoteAccessPort;
  /** Tests hand in a fixed table; default: no database yet, every address unknown. */
  readonly addressFacts?: AddressFactsLookup;
  /** Default: the IP_CITY_DB files (none: impossible travel is off). */
  readonly locations?: AddressLocationLookup;
}

export function secretsOf(config: Config): string[] {
  return [config.discord?.token, config.plex.token].filter((s): s is string => typeof s === 'string');
}

export function createAppContext(config: Config, overrides: AppContextOverrides = {}): AppContext {
  const logger =
    overrides.logger ??
    createLogger({ level: config.core.logLevel, format: config.core.logFormat, secrets: secretsOf(config) });
  const clock = overrides.clock ?? systemClock;
  const jobs = new JobScheduler({ clock, timers: overrides.timers, logger });
  const store = openStore(config.core.databasePath);
  const { repos } = store;
  const abandoned = repos.scanRuns.abandonUnfinished(clock.now());
  if (abandoned > 0)
    logger.warn('scans interrupted by the last shutdown were marked abandoned', { abandoned });
  const plex = new PlexClient({
    baseUrl: config.plex.url,
    token: config.plex.token,
    clientIdentifier: repos.settings.plexClientIdentifier(),
    timeoutMs: config.plex.timeoutMs,
  });
  const scope = new AddressScope({
    lanCidrs: config.network.lanCidrs,
    allowlist: config.network.allowlist,
    publicIp: config.network.publicIp,
    allowEntries: (now) => repos.allowlist.active(now),
    learned: repos.publicAddresses,
    extraAllowed: overrides.isAllowed,
    now: () => clock.now(),
  });
  const plexTv = new PlexTvClient({
    baseUrl: config.plex.tvUrl,
    clientIdentifier: repos.settings.plexClientIdentifier(),
    token: config.plex.token,
    timeoutMs: config.exposure.outsideTimeoutMs,
  });
  const internetDb = new InternetDbClient({
    baseUrl: config.exposure.internetDbUrl,
    timeoutMs: config.exposure.outsideTimeoutMs,
  });
  const addressFacts = overrides.addressFacts ?? sharedOfflineAddressFacts(logger);
  const locations = overrides.locations ?? new CityDatabase(config.signals.cityDatabases, logger);
  const checkDeps: CheckDeps = {
    config,
    clock,
    plex,
    plexTv,
    internetDb,
    scope,
    addressFacts,
    locations,
    accountSignals: repos.accountSignals,
  };
  const runner = new ScanRunner({
    checks: overrides.checks ?? registeredChecks,
    checkDeps,
    repos,
    logger,
    clock,
    defaultTimeoutMs: config.core.checkTimeoutMs,
  });
  const remoteAccess = RemoteAccessService.create({ config, repos, plex, clock, logger, jobs });
  const actions = createActions({
    config,
    repos,
    logger,
    clock,
    jobs,
    firewall: overrides.firewall,
    remoteAccess: overrides.remoteAccess ?? remoteAccess,
    scope,
    plexTv,
    assertAccountOwner: (signal) => assertAccountOwner(plex, plexTv, signal),
    plex,
  });
  const reviewer = new LogReviewer({
    logs: config.logs,
    scope,
    repo: repos.logReview,
    clock,
    logger: logger.child({ component: 'log-review' }),
    trustedProxies: config.network.trustedProxies,
    addressFacts,
    // The owner's name for owner-new-address, from the owner's own account: only once
    // PLEX_TOKEN is shown to own this server, so a shared user's token never names the owner.
    learnPlexOwner: async (signal) => {
      await assertAccountOwner(plex, plexTv, signal);
      return (await plexTv.account(signal)).username;
    },
  });
  return {
    config,
    repos,
    logger,
    clock,
    jobs,
    plex,
    plexTv,
    internetDb,
    scope,
    runner,
    reviewer,
    actions,
    remoteAccess,
    addressFacts,
    locations,
    close: () => store.close(),
  };
}
