/**
 * database — DATABASE_PATH can be opened, migrated and written.
 * Why: the outbox, the finding history and the Plex client identifier live there; a read-only
 * or locked file would make the bot lose alerts or fail at start.
 */

import { describeDatabaseError } from '../adapters/sqlite/database.js';
import { openStore, type Store } from '../adapters/sqlite/index.js';
import { fail, ok, type Probe, type ProbeContext, type ProbeResult, skip } from './types.js';

export const database: Probe = {
  id: 'database',
  title: 'Database',
  async run(ctx) {
    const path = ctx.config.core.databasePath;
    let store: Store;
    try {
      store = openStore(path);
    } catch (error) {
      // Remember the failure: the Plex probes would otherwise wait for the same lock again.
      const failed = Promise.reject(error);
      failed.catch(() => undefined);
      await ctx.shared.once(CLIENT_IDENTIFIER, () => failed).catch(() => undefined);
      return fail(describeDatabaseError(error, path), databaseFix(path));
    }
    try {
      store.repos.health.proveWritable();
      const identifier = store.repos.settings.plexClientIdentifier();
      await ctx.shared.once(CLIENT_IDENTIFIER, async () => identifier);
      return ok(`${path} is writable (schema version ${store.repos.health.schemaVersion()})`);
    } catch (error) {
      return fail(describeDatabaseError(error, path), databaseFix(path));
    } finally {
      store.close();
    }
  },
};

const CLIENT_IDENTIFIER = 'plex:clientIdentifier';

/**
 * The installation's X-Plex-Client-Identifier from the database. Plex probes must send it: a
 * made-up one would show up on the server as a new device.
 */
export function storedClientIdentifier(ctx: ProbeContext): Promise<string> {
  return ctx.shared.once(CLIENT_IDENTIFIER, async () => {
    const store = openStore(ctx.config.core.databasePath);
    try {
      return store.repos.settings.plexClientIdentifier();
    } finally {
      store.close();
    }
  });
}

/**
 * For probes that talk to Plex or plex.tv: the installation's identifier, or a skip result when
 * the database cannot give it (inventing one would show up in Plex as a new device).
 */
export async function clientIdentifierOrSkip(ctx: ProbeContext): Promise<string | ProbeResult> {
  try {
    return await storedClientIdentifier(ctx);
  } catch {
    return skip('needs the database (for the client identifier Plex knows us by); see the Database line');
  }
}

function databaseFix(path: string): string {
  return `Make ${path} and its folder writable by the user plex-warden runs as, and make sure no other process (a second plex-warden, a backup tool, sqlite3 shell) holds it open with a lock.`;
}
