import { parseExposedService, parseTlsEndpoint } from '../exposure.js';
import { kinds as k, listOf } from '../key.js';
import { section } from '../section.js';

export const EXPOSURE = section('exposure', 'Exposure scan', {
  INTERNETDB_URL: k.url({
    field: 'internetDbUrl',
    default: 'https://internetdb.shodan.io',
    description: 'Shodan InternetDB base URL (free, no key, IPv4 only, no crawl date).',
  }),
  WHOIS_INTERNETDB: k.bool({
    field: 'whoisInternetDb',
    default: 'false',
    description:
      '/whois and plex-warden whois also ask InternetDB about a public IPv4 address (sends that address to Shodan; off by default).',
  }),
  OUTSIDE_TIMEOUT: k.duration({
    field: 'outsideTimeoutMs',
    default: '5s',
    min: '100ms',
    max: '1m',
    description: 'Bound on one outside call (plex.tv, InternetDB) and on one TLS handshake.',
  }),
  TLS_ENDPOINTS: k.custom(listOf(parseTlsEndpoint), {
    field: 'tlsEndpoints',
    kind: 'endpoint list',
    default: '',
    expected: () =>
      'a comma-separated list of https URLs or host:port, e.g. https://plex.example.com,nas.lan:5001',
    description:
      'https endpoints whose certificates are watched (expiry at 21/14/7 days, name, trust):\nhttps URLs or host:port, comma-separated. Example: https://plex.example.com,nas.lan:5001',
  }),
  TLS_CA_FILE: k.string({
    field: 'tlsCaFile',
    expected: 'the path of a PEM file with extra CA certificates',
    description: 'Extra CA certificates (PEM file) to trust for TLS_ENDPOINTS, e.g. a home-lab CA.',
  }),
  EXPOSED_SERVICES: k.custom(listOf(parseExposedService), {
    field: 'exposedServices',
    kind: 'service list',
    default: '',
    expected: () =>
      'a comma-separated list of name=host:port, e.g. tautulli=192.168.1.10:8181,ssh=192.168.1.10:22',
    description:
      'Household services that must never face the internet: name=host:port, comma-separated.\nExample: tautulli=192.168.1.10:8181,sonarr=192.168.1.10:8989,ssh=192.168.1.10:22',
  }),
  SERVICE_PROBE_TIMEOUT: k.duration({
    field: 'serviceProbeTimeoutMs',
    default: '2s',
    min: '50ms',
    max: '30s',
    description: 'Bound on one TCP connect to such a service.',
  }),
  CRITICAL_RENOTIFY: k.duration({
    field: 'criticalRenotifyMs',
    default: '6h',
    min: '1m',
    description: 'A critical finding is posted again this often until it is fixed.',
  }),
  DEVICE_STALE_AFTER: k.duration({
    field: 'deviceStaleAfterMs',
    default: '90d',
    min: '1d',
    description: 'Plex account devices unused this long are listed (low, plex-account-devices).',
  }),
});
