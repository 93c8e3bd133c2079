import type { Clock } from '../kernel/clock.js';
import { logError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';

/** How long to wait before asking plex.tv again after it could not tell (down, no token). */
const RETRY_MS = 15 * 60_000;
/** One look-up may take this long; a pass does not wait for plex.tv any longer. */
const TIMEOUT_MS = 10_000;

export interface PlexOwnerNameOptions {
  /** LOG_PLEX_OWNER: when set, it is the name and nothing is asked. */
  readonly configured: string;
  /**
   * The server owner's plex.tv account name, from the account of PLEX_TOKEN once it is shown
   * to own the server (the composition root wires plex.tv's `/api/v2/user` `username` and
   * `/api/v2/resources` `owned`); rejects when that cannot be told.
   */
  readonly learn?: (signal: AbortSignal) => Promise<string>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The Plex owner's account name as the Plex log shows it (`Signed-in Token (NAME)`), which
 * owner-new-address needs. The household admin need not set LOG_PLEX_OWNER: the bot already
 * holds the owner's token, so the name is learned from plex.tv once, and asked again later if
 * plex.tv could not answer. LOG_PLEX_OWNER still wins (a name the log writes differently).
 */
export class PlexOwnerName {
  private learned: string | undefined;
  private triedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: PlexOwnerNameOptions) {}

  /** The name to use now ('' while unknown: the detector cannot fire). */
  async current(): Promise<string> {
    const { configured, learn, clock, logger } = this.o;
    if (configured !== '') return configured;
    if (this.learned !== undefined || learn === undefined) return this.learned ?? '';
    const now = clock.now();
    if (now - this.triedAt < RETRY_MS) return '';
    this.triedAt = now;
    try {
      const name = (await learn(AbortSignal.timeout(TIMEOUT_MS))).trim();
      if (name === '') return '';
      this.learned = name;
      // The name is not a secret, but it stays out of the log like every account detail.
      logger.info('learned the Plex owner account from plex.tv (LOG_PLEX_OWNER overrides it)');
      return name;
    } catch (error) {
      logError(error, logger, { during: 'learning the Plex owner account (set LOG_PLEX_OWNER to skip it)' });
      return '';
    }
  }
}
