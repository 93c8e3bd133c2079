export type { CheckState } from '../domain/check-state.js';

import type { InternetDbClient } from '../adapters/internetdb/internetdb-client.js';
import type { PlexClient } from '../adapters/plex/plex-client.js';
import type { PlexTvClient } from '../adapters/plex/plex-tv-client.js';
import type { Config } from '../config/index.js';
import type { AccountSignalStore } from '../domain/account-signals.js';
import type { AddressFactsLookup } from '../domain/address-facts.js';
import type { AddressLocationLookup } from '../domain/address-location.js';
import type { CheckState } from '../domain/check-state.js';
import type { FindingDraft } from '../domain/finding.js';
import type { Clock } from '../kernel/clock.js';
import { SafeError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { AddressScope } from '../net/address-scope.js';

/**
 * Values several checks need within one scan (the router's mappings, the public IP): the
 * first caller computes, the others await the same promise. Cleared between scans.
 */
export interface ScanShared {
  once<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

/** Long-lived dependencies of the checks, built once in the composition root. */
export interface CheckDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly plex: PlexClient;
  readonly plexTv: PlexTvClient;
  readonly internetDb: InternetDbClient;
  /** Whose address is this; checks that learn the household's public IP record it here. */
  readonly scope: AddressScope;
  /** ASN and country of public addresses, from shipped databases (unknown when absent). */
  readonly addressFacts?: AddressFactsLookup;
  /** Coordinates and city of an address (IP_CITY_DB); `state()` says whether there is city data. */
  readonly locations: AddressLocationLookup;
  /** What plex-account-signals remembers per Plex user (countries, recent sessions). */
  readonly accountSignals: AccountSignalStore;
}

export interface CheckContext extends CheckDeps {
  readonly logger: Logger;
  /** Aborted when the check's timeout passes or the scan is stopped: pass it to every I/O call. */
  readonly signal: AbortSignal;
  readonly shared: ScanShared;
  readonly state: CheckState;
}

/**
 * A check detects and returns data; it never talks to Discord. A check that cannot do its job
 * throws CheckError with a message safe to show; the runner turns that into a finding.
 */
export interface Check {
  /** Equals the file name in src/checks. */
  readonly id: string;
  readonly title: string;
  /** Overrides CHECK_TIMEOUT for this check only (shorter, never longer). */
  readonly timeoutMs?: number;
  run(ctx: CheckContext): Promise<readonly FindingDraft[]>;
}

/** A check could not do its job for a reason the admin can act on; the message is shown as is. */
export class CheckError extends SafeError {
  override readonly name = 'CheckError';
}

/**
 * A check has nothing to say this time because something another check already reports is
 * missing (e.g. Plex unreachable: plex-reachable says so once, instead of every Plex check
 * raising its own "could not run"). Its previous findings stay open: unknown is not fixed.
 */
export class CheckSkipped extends SafeError {
  override readonly name = 'CheckSkipped';
}
