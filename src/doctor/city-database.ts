/**
 * city-database — can the bot read the city databases of IP_CITY_DB? Without them the
 * impossible-travel signal of plex-account-signals is off (the other signals still run), and
 * the admin should know that rather than assume it watches.
 */
import { CityDatabase } from '../adapters/ip-facts/city-database.js';
import { ok, type Probe, skip, warn } from './types.js';

export const cityDatabase: Probe = {
  id: 'city-database',
  title: 'City database',
  async run(ctx) {
    const paths = ctx.config.signals.cityDatabases;
    if (paths.length === 0) return skip('IP_CITY_DB is not set: the impossible-travel signal is off');
    const state = new CityDatabase(paths).state();
    if (!state.available) {
      return warn(
        `${state.detail}: the impossible-travel signal is off`,
        'Point IP_CITY_DB at readable .mmdb city files (README, Account signals), or leave it empty.',
      );
    }
    if (state.detail.includes('left out')) {
      return warn(state.detail, 'Fix or remove the files named as left out in IP_CITY_DB.');
    }
    return ok(`${state.detail}: impossible travel is on`);
  },
};
