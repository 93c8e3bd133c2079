/**
 * What plex-account-signals remembers per Plex user between scans (and restarts): the countries
 * each user has streamed from, and their recent remote sessions with where they were. The rules
 * are the check's; keeping this bounded is the store's.
 */

/** A remote session as the scans saw it. */
export interface SeenSession {
  /** `id:<Plex user id>`, or `name:<title>` when Plex gave no id. */
  readonly user: string;
  /** Plex `Session.id`, or a stand-in built from the address and player. */
  readonly session: string;
  readonly address: string;
  /** `Player.machineIdentifier`: one device switching networks (VPN) is not travel. */
  readonly device: string | undefined;
  readonly country: string | undefined;
  readonly city: string | undefined;
  readonly latitude: number | undefined;
  readonly longitude: number | undefined;
  readonly accuracyKm: number | undefined;
  /** First and last scan that saw it playing (epoch ms). */
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface UserCountry {
  readonly user: string;
  readonly country: string;
  /** When the bot first saw this user stream from there; 0 = learned quietly. */
  readonly firstSeen: number;
}

export interface AccountSignalStore {
  /** Country → first seen (0 = learned quietly), for one user. */
  countries(user: string): ReadonlyMap<string, number>;
  /** That user's sessions last seen at or after `since`, newest first. */
  sessions(user: string, since: number): SeenSession[];
  /**
   * Writes one scan's observations in one transaction: countries are added (never moved),
   * sessions are upserted (first seen kept, last seen moved on), then old rows are pruned.
   */
  commit(scan: {
    readonly now: number;
    readonly countries: readonly UserCountry[];
    readonly sessions: readonly SeenSession[];
    /** Sessions last seen before this are dropped. */
    readonly keepSessionsSince: number;
  }): void;
}
