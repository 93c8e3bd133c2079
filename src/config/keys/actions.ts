import { isAbsolute } from 'node:path';
import { SEVERITIES } from '../../domain/severity.js';
import { kinds as k } from '../key.js';
import { section } from '../section.js';

const absolute = (raw: string) => (isAbsolute(raw) ? raw : undefined);
/** A program the firewall backend runs (by execFile, never a shell), by name or path. */
const program = <const F extends string>(field: F, name: string, description: string) =>
  k.string({
    field,
    default: name,
    pattern: /^[^\s;&|`$<>]+$/,
    expected: 'a program name or path without spaces or shell characters',
    description,
  });

export const FIREWALL_BACKENDS = ['nftables', 'crowdsec', 'fail2ban', 'ufw', 'command', 'none'] as const;

export const ACTIONS = section('actions', 'Actions: firewall, approvals, bans', {
  FIREWALL_BACKEND: k.enum(FIREWALL_BACKENDS, {
    field: 'firewallBackend',
    default: 'none',
    description:
      'Where approved bans go: nftables | crowdsec | fail2ban | ufw | command | none (record only, enforce nothing).',
  }),
  NFT_TABLE: k.string({
    field: 'nftTable',
    default: 'plex_warden',
    pattern: /^[A-Za-z][A-Za-z0-9_]{0,31}$/,
    expected: 'an nftables table name (letters, digits or _, up to 32)',
    description:
      'nftables: our own table (family inet) with sets and input AND forward chains. Needs CAP_NET_ADMIN.',
  }),
  NFT_PATH: program('nftPath', 'nft', 'nftables: the nft program.'),
  FAIL2BAN_JAIL: k.string({
    field: 'fail2banJail',
    default: 'plex-warden',
    pattern: /^[A-Za-z][A-Za-z0-9_-]{0,31}$/,
    expected: 'a fail2ban jail name (letters, digits, _ or -)',
    description:
      'fail2ban: the jail that receives `set JAIL banip/unbanip`; make its bantime >= BAN_MAX_DURATION.',
  }),
  FAIL2BAN_CLIENT: program('fail2banClient', 'fail2ban-client', 'fail2ban: the fail2ban-client program.'),
  FAIL2BAN_CONFIG_DIR: k.custom(absolute, {
    field: 'fail2banConfigDir',
    kind: 'path',
    expected: () => 'an absolute directory path',
    description: "fail2ban's config dir when it is not the default (`fail2ban-client -c DIR`).",
  }),
  UFW_PATH: program('ufwPath', 'ufw', 'ufw: the ufw program (input and route deny rules).'),
  CSCLI_PATH: program(
    'cscliPath',
    'cscli',
    'crowdsec: the cscli program; bans become CrowdSec decisions your bouncer enforces.',
  ),
  CROWDSEC_CONFIG: k.custom(absolute, {
    field: 'crowdsecConfig',
    kind: 'path',
    expected: () => 'the absolute path of a CrowdSec config.yaml',
    description: "crowdsec: `cscli -c FILE` when CrowdSec's config is not /etc/crowdsec/config.yaml.",
  }),
  BLOCK_COMMAND: k.custom(absolute, {
    kind: 'path',
    expected: () => 'the absolute path of an executable script (called with block|unblock, ip, seconds)',
    description:
      'command: absolute path of your script, run as SCRIPT block|unblock IP SECONDS (never via a shell).',
  }),
  FIREWALL_TIMEOUT: k.duration({
    field: 'firewallTimeoutMs',
    default: '10s',
    min: '500ms',
    max: '2m',
    description: 'Longest time one firewall program run may take.',
  }),
  APPROVALS_REQUIRED: k.int({
    field: 'approvalsRequired',
    default: '1',
    min: 1,
    max: 10,
    description: 'Distinct approvers whose ✅ is needed before a proposal runs.',
  }),
  PROPOSAL_TTL: k.duration({
    field: 'proposalTtlMs',
    default: '30m',
    min: '10s',
    max: '7d',
    description: 'A proposal nobody approved within this time expires and never runs.',
  }),
  BAN_MAX_DURATION: k.duration({
    field: 'banMaxMs',
    default: '30d',
    min: '1m',
    max: '3650d',
    description: 'The longest ban anyone may ask for.',
  }),
  BAN_DEFAULT_DURATION: k.duration({
    default: '24h',
    min: '1s',
    max: '3650d',
    description: 'The length of a ban when none is given (at most BAN_MAX_DURATION).',
  }),
  BAN_ESCALATION_FACTOR: k.int({
    field: 'banEscalationFactor',
    default: '2',
    min: 1,
    max: 10,
    description:
      'Repeat offenders: duration x FACTOR^level (1 = no escalation), at most CAP, counting bans within WINDOW.',
  }),
  BAN_ESCALATION_CAP: k.duration({
    default: '7d',
    min: '1s',
    max: '3650d',
    description: 'The longest an escalated ban may get (at most BAN_MAX_DURATION).',
  }),
  BAN_ESCALATION_WINDOW: k.duration({
    field: 'banEscalationWindowMs',
    default: '30d',
    min: '1m',
    description: 'How far back earlier bans of the same address count as repeat offences.',
  }),
  AUTO_BLOCK: k.bool({
    field: 'autoBlock',
    default: 'false',
    description:
      'Block without asking when a finding suggests it and is at least this severe (off by default).',
  }),
  AUTO_BLOCK_MIN_SEVERITY: k.enum(SEVERITIES, {
    field: 'autoBlockMinSeverity',
    default: 'high',
    description: 'The least severity that AUTO_BLOCK blocks without asking.',
  }),
});
