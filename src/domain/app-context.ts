import type { Actions } from '../actions/actions.js';
import type { RemoteAccessService } from '../actions/remote-access-service.js';
import type { InternetDbClient } from '../adapters/internetdb/internetdb-client.js';
import type { PlexClient } from '../adapters/plex/plex-client.js';
import type { PlexTvClient } from '../adapters/plex/plex-tv-client.js';
import type { Repositories } from '../adapters/sqlite/index.js';
import type { Config } from '../config/index.js';
import type { ScanRunner } from '../exposure/scan-runner.js';
import type { Clock } from '../kernel/clock.js';
import type { JobScheduler } from '../kernel/job-scheduler.js';
import type { Logger } from '../kernel/logger.js';
import type { LogReviewer } from '../logs/log-reviewer.js';
import type { AddressScope } from '../net/address-scope.js';
import type { AddressFactsLookup } from './address-facts.js';
import type { AddressLocationLookup } from './address-location.js';

/**
 * The shape of the context the composition root (src/app) builds. It lives here so the parts
 * that receive it (commands, scheduled scans and reviews, alerts) never import src/app.
 */
/** Everything long-lived, built once in the composition root and passed down explicitly. */
export interface AppContext {
  readonly config: Config;
  readonly repos: Repositories;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * Every timed job (scans, reviews, expiry, the remote-access switch-off, alert retries). The
   * bot starts it after the actions are reconciled and stops it before they settle.
   */
  readonly jobs: JobScheduler;
  readonly plex: PlexClient;
  /** plex.tv with the owner's token (account checks, /devices, /shares, account actions). */
  readonly plexTv: PlexTvClient;
  /** Shodan InternetDB: the exposure checks, and whois when WHOIS_INTERNETDB is on. */
  readonly internetDb: InternetDbClient;
  /** Whose address is this: asked by the block policy, the log review, the checks, the commands. */
  readonly scope: AddressScope;
  readonly runner: ScanRunner;
  readonly reviewer: LogReviewer;
  /** Bans, proposals, allow-list, firewall; started by the bot (reconcile + expiry scheduler). */
  readonly actions: Actions;
  /** Plex + router remote-access switching, with its persistent switch-off; started by the bot. */
  readonly remoteAccess: RemoteAccessService;
  /** ASN and country of an address, or unknown (the weekly picture ranks networks by it). */
  readonly addressFacts: AddressFactsLookup;
  /** City and coordinates of an address (IP_CITY_DB), or none: /status and the doctor say which. */
  readonly locations: AddressLocationLookup;
  close(): void;
}
