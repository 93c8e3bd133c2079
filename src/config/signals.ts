import { SIGNALS } from './keys/index.js';
import type { EnvReader } from './reader.js';

/** plex-account-signals: what counts as sharing and as impossible travel. */
export interface SignalsConfig {
  /** SHARING_MAX_ADDRESSES: more public addresses (IPv6 per /64) at once than this is a finding. */
  readonly sharingMaxAddresses: number;
  /** TRAVEL_MAX_SPEED, km/h. */
  readonly travelMaxSpeedKmh: number;
  /** IP_CITY_DB: .mmdb files with coordinates; empty turns impossible travel off. */
  readonly cityDatabases: readonly string[];
}

/** Every value of this section is read as is: the table's `field`s make the whole object. */
export function readSignalsConfig(r: EnvReader): SignalsConfig {
  return r.fields(SIGNALS);
}
