/**
 * The seam between the `/remote-access` command and its proposals (actions side) and the code
 * that actually switches Plex and the router (remote-access side). Both sides code against
 * this; the composition root passes the real implementation.
 */
export interface RemoteAccessOutcome {
  /** Whether the requested state was verified afterwards. */
  readonly ok: boolean;
  /** Human lines for the proposal message: what was done, what was verified, what remains open. */
  readonly lines: readonly string[];
}

export interface RemoteAccessStatus {
  /** PublishServerOnPlexOnlineKey; undefined when it could not be read. */
  readonly enabled: boolean | undefined;
  /** Scheduled switch-off (epoch ms) when remote access was turned on for a limited time. */
  readonly offAt: number | undefined;
  readonly lines: readonly string[];
}

export interface RemoteAccessPort {
  status(signal?: AbortSignal): Promise<RemoteAccessStatus>;
  /** Pref off, delete the router's mappings to the Plex port, verify both. */
  turnOff(signal?: AbortSignal): Promise<RemoteAccessOutcome>;
  /** Pref on; with `forMs`, a persistent switch-off is scheduled (survives restarts). */
  turnOn(options: { forMs?: number }, signal?: AbortSignal): Promise<RemoteAccessOutcome>;
}
