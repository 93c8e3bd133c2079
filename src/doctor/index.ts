import { database } from './database.js';
import { discordPermissions } from './discord-permissions.js';
import { discordToken } from './discord-token.js';
import { plexServer } from './plex-server.js';
import { plexTv } from './plex-tv.js';
import type { Probe } from './types.js';

/**
 * Every `plex-warden doctor` probe, in the order printed. Adding one = one file + one line here
 * (e.g. log sources readable, the firewall backend usable: give them `applies(config)` so they
 * only print when configured).
 */
export const probes: readonly Probe[] = [database, discordToken, discordPermissions, plexServer, plexTv];
