import { cityDatabase } from './city-database.js';
import { database } from './database.js';
import { discordPermissions } from './discord-permissions.js';
import { discordToken } from './discord-token.js';
import { firewall } from './firewall.js';
import { logSources } from './log-sources.js';
import { plexServer } from './plex-server.js';
import { plexTv } from './plex-tv.js';
import type { Probe } from './types.js';

/** Every `plex-warden doctor` probe, in the order printed. Adding one = one file + one line here. */
export const probes: readonly Probe[] = [
  database,
  discordToken,
  discordPermissions,
  plexServer,
  plexTv,
  logSources,
  cityDatabase,
  firewall,
];
