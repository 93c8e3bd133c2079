import { kinds as k } from '../key.js';
// logs.ts reads its keys from this section; the ids are only read lazily, inside functions,
// so the import cycle never sees an uninitialised binding.
import { LOG_DETECTOR_IDS, LOG_SOURCE_KINDS, parseLogSources } from '../logs.js';
import { section } from '../section.js';

const logKinds = () => LOG_SOURCE_KINDS;

export const LOGS = section('logs', 'Log review (brute force, probing, bad Plex tokens, new addresses)', {
  LOG_SOURCES: k.custom(parseLogSources, {
    field: 'sources',
    kind: 'log source list',
    default: '',
    expected: () =>
      `a comma-separated list of [name=]kind:/absolute/path, [name=]kind:docker:/absolute/path or [name=][kind:]journald:unit-or-process[+...][:/journal/file-or-folder] with kind one of ${LOG_SOURCE_KINDS.join(', ')}`,
    description:
      'Logs to review: [name=]kind:/absolute/path, comma-separated. kind is one of\nplex (the Logs folder or "Plex Media Server.log"), nginx, apache, npm (Nginx Proxy Manager\nproxy-host log), npmplus (NPMplus: /data/nginx/access.log or json_access.log),\ntraefik (common format), caddy (JSON access log), sshd (auth.log),\nnginx-vhost / apache-vhost (access logs whose first field is the Host, then the client address),\nnginx-error (error.log: auth_basic failures, limit_req refusals), traefik-json (the JSON access log of Traefik).\nkind:docker:/path reads a Docker json-file container log (e.g. nginx:docker:/var/lib/docker/containers/ID/ID-json.log).\njournald:sshd reads sshd from the journal (Debian 12 has no auth.log without rsyslog); kind:journald:MATCH\nfor another kind; MATCH is units or process names joined by + (ssh.service+sshd-session), optionally\nfollowed by :/path of a journal file or folder (a copied journal).\nExample: plex:/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Logs,nginx:/var/log/nginx/access.log,sshd:/var/log/auth.log',
  }),
  LOG_PLEX_OWNER: k.string({
    field: 'plexOwner',
    default: '',
    description:
      'The Plex owner account name as the Plex log writes it (`Signed-in Token (NAME)`): requests signed in\nas this account from a new outside address raise owner-new-address. Empty: learned from plex.tv with\nPLEX_TOKEN once it is shown to own the server (set this only if the log writes the name differently).',
  }),
  LOG_MAX_RETRY: k.int({
    min: 1,
    max: 100_000,
    perKind: logKinds,
    description:
      'fail2ban semantics, for every kind; append _KIND to override one kind (e.g. LOG_MAX_RETRY_SSHD=3).\nDefaults by kind: plex 20 failures / 10m, web servers 10 / 10m, sshd 5 / 10m.\nBrute force: this many failures from one outside address ...',
  }),
  LOG_FIND_TIME: k.duration({ min: '1s', perKind: logKinds, description: '... within this window.' }),
  LOG_PROBE_PATHS: k.int({
    min: 2,
    max: 10_000,
    perKind: logKinds,
    description: 'Probing: this many distinct failing (4xx) paths from one address (default 20, plex 30) ...',
  }),
  LOG_PROBE_FIND_TIME: k.duration({
    min: '1s',
    perKind: logKinds,
    description: '... within this window (default 10m).',
  }),
  LOG_SLOW_MAX_RETRY: k.int({
    min: 1,
    max: 100_000,
    perKind: logKinds,
    description:
      'Brute force, slow window beside the fast one: this many failures from one address (or one IPv6\nnetwork, see LOG_IPV6_PREFIX) ... Defaults by kind: plex 80, web servers 40, sshd 20 ...',
  }),
  LOG_SLOW_FIND_TIME: k.duration({
    min: '1s',
    perKind: logKinds,
    description: '... within this longer window (default 24h).',
  }),
  LOG_IPV6_PREFIX: k.int({
    default: '64',
    min: 48,
    max: 128,
    description:
      'IPv6 is judged per network of this prefix length: a /64 is one subscriber line, whose\ntemporary addresses rotate at will, so every detector (brute force, probing, rejected Plex\ntokens, first sightings) and the event counts keep one window per network; a finding names\nthe network, how many of its addresses took part and one of them, and suggests blocking the\nnetwork. An allow-listed address inside stays allowed. 128 judges every address alone.\nNarrower than /48 is refused: a block proposal must stay inside what the block policy accepts.',
  }),
  LOG_BAD_TOKEN_COUNT: k.int({
    min: 1,
    max: 10_000,
    perKind: logKinds,
    description: 'Rejected Plex tokens from one outside address before a finding (default 1).',
  }),
  LOG_BAN_DURATION: k.duration({
    min: '1s',
    perKind: logKinds,
    description: 'Block duration suggested with brute-force and probing findings (default 24h).',
  }),
  LOG_DETECTORS: k.enumList(() => LOG_DETECTOR_IDS, {
    perKind: logKinds,
    perKindOnly: true,
    example: 'LOG_DETECTORS_NGINX=brute-force,probing',
    description: () =>
      `Detectors per kind: LOG_DETECTORS_<KIND>=${LOG_DETECTOR_IDS.join(',')}\n(plex: all; web servers: brute-force,probing,first-seen-remote; sshd: brute-force,first-seen-remote).`,
  }),
  LOG_REVIEW_INTERVAL: k.duration({
    field: 'reviewIntervalMs',
    default: '60s',
    min: '1s',
    max: '1d',
    description: 'Pause between two review passes in the bot.',
  }),
  LOG_BACKFILL_BYTES: k.size({
    field: 'backfillBytes',
    default: '64m',
    min: 0,
    description: 'First run on an existing file: review at most this much of its end (0 = start at the end).',
  }),
  LOG_MAX_AGE: k.duration({
    field: 'maxAgeMs',
    default: '24h',
    min: '1m',
    description: 'Lines older than this are read but never produce findings (a restart after days away).',
  }),
  LOG_FINDING_RETENTION: k.duration({
    field: 'findingRetentionMs',
    default: '24h',
    min: '1m',
    description: 'A log finding stays open this long after the last line that supported it, then resolves.',
  }),
  // No default here: unset means the system zone, which the log's clock reads only once a line
  // has a local time (src/logs/local-time.ts), so a replay of offset-stamped lines never asks Intl.
  LOG_TIMEZONE: k.timezone({
    field: 'timeZone',
    description: 'Zone of Plex and classic syslog timestamps, which carry none (default: the system zone).',
  }),
  LOG_COMMIT_BYTES: k.size({
    field: 'commitBytes',
    default: '256m',
    min: 1,
    description: 'Offsets, counts and detector state are committed at least every this many bytes read.',
  }),
  LOG_MAX_TRACKED_ADDRESSES: k.int({
    field: 'maxTrackedAddresses',
    default: '200000',
    min: 100,
    max: 5_000_000,
    description: 'Memory bound: addresses tracked per source and detector (oldest dropped beyond it).',
  }),
  LOG_COMMIT_ROWS: k.int({
    field: 'commitRows',
    default: '10000',
    min: 100,
    max: 1_000_000,
    description:
      'A pass commits once this many per-address rows (counts, detector state) are pending, so a flood\nof distinct addresses neither grows memory nor makes one long commit that stalls the bot.',
  }),
  LOG_COUNTS_MAX_ADDRESSES: k.int({
    field: 'countsMaxAddresses',
    default: '100000',
    min: 100,
    max: 10_000_000,
    description: 'Per-address event counts kept per source (the least recently seen are dropped beyond it).',
  }),
  LOG_COUNTS_RETENTION: k.duration({
    field: 'countsRetentionMs',
    default: '30d',
    min: '1h',
    description: 'Per-address event counts are dropped once the address was not seen for this long.',
  }),
});
