import { isAbsolute } from 'node:path';
import { SEVERITIES, type Severity } from '../domain/finding.js';
import type { EnvReader } from './reader.js';

export const FIREWALL_BACKENDS = ['nftables', 'crowdsec', 'fail2ban', 'ufw', 'command', 'none'] as const;
export type FirewallBackendName = (typeof FIREWALL_BACKENDS)[number];

export interface ActionsConfig {
  readonly firewallBackend: FirewallBackendName;
  /** Our own nftables table (family inet); never a table another tool owns. */
  readonly nftTable: string;
  readonly nftPath: string;
  readonly fail2banJail: string;
  readonly fail2banClient: string;
  /** `fail2ban-client -c DIR` when fail2ban runs with a private config dir. */
  readonly fail2banConfigDir: string | undefined;
  readonly ufwPath: string;
  readonly cscliPath: string;
  /** `cscli -c FILE` when CrowdSec runs with a config other than /etc/crowdsec/config.yaml. */
  readonly crowdsecConfig: string | undefined;
  /** Absolute path of the user script for the `command` backend: argv [block|unblock, ip, seconds]. */
  readonly blockCommand: string | undefined;
  /** Upper bound for one firewall program run. */
  readonly firewallTimeoutMs: number;
  /** Distinct approvers whose ✅ is needed before a proposal runs. */
  readonly approvalsRequired: number;
  readonly proposalTtlMs: number;
  readonly banDefaultMs: number;
  readonly banMaxMs: number;
  /** A repeat offender's ban is the base duration times factor^level (1 turns escalation off). */
  readonly banEscalationFactor: number;
  /** The longest an escalated ban may get. */
  readonly banEscalationCapMs: number;
  /** How far back earlier bans of the same address count as "repeat". */
  readonly banEscalationWindowMs: number;
  /** Block without asking when a finding suggests it and is at least this severe. Off by default. */
  readonly autoBlock: boolean;
  readonly autoBlockMinSeverity: Severity;
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const DAY = 86_400_000;

export function readActionsConfig(r: EnvReader): ActionsConfig {
  const firewallBackend = r.oneOf('FIREWALL_BACKEND', FIREWALL_BACKENDS, { default: 'none' }) ?? 'none';
  const nftTable =
    r.string('NFT_TABLE', {
      default: 'plex_warden',
      pattern: /^[A-Za-z][A-Za-z0-9_]{0,31}$/,
      expected: 'an nftables table name (letters, digits or _, up to 32)',
    }) ?? 'plex_warden';
  const program = (key: string, fallback: string) =>
    r.string(key, {
      default: fallback,
      pattern: /^[^\s;&|`$<>]+$/,
      expected: 'a program name or path without spaces or shell characters',
    }) ?? fallback;
  const nftPath = program('NFT_PATH', 'nft');
  const fail2banJail =
    r.string('FAIL2BAN_JAIL', {
      default: 'plex-warden',
      pattern: NAME,
      expected: 'a fail2ban jail name (letters, digits, _ or -)',
    }) ?? 'plex-warden';
  const fail2banClient = program('FAIL2BAN_CLIENT', 'fail2ban-client');
  const fail2banConfigDir = r.parse('FAIL2BAN_CONFIG_DIR', 'an absolute directory path', {}, (raw) =>
    isAbsolute(raw) ? raw : undefined,
  );
  const ufwPath = program('UFW_PATH', 'ufw');
  const cscliPath = program('CSCLI_PATH', 'cscli');
  const crowdsecConfig = r.parse(
    'CROWDSEC_CONFIG',
    'the absolute path of a CrowdSec config.yaml',
    {},
    (raw) => (isAbsolute(raw) ? raw : undefined),
  );
  const blockCommand = r.parse(
    'BLOCK_COMMAND',
    'the absolute path of an executable script (called with block|unblock, ip, seconds)',
    { required: firewallBackend === 'command' },
    (raw) => (isAbsolute(raw) ? raw : undefined),
  );
  const firewallTimeoutMs =
    r.duration('FIREWALL_TIMEOUT', { default: 10_000, minMs: 500, maxMs: 120_000 }) ?? 10_000;
  const approvalsRequired = r.int('APPROVALS_REQUIRED', { default: 1, min: 1, max: 10 }) ?? 1;
  const proposalTtlMs =
    r.duration('PROPOSAL_TTL', { default: 30 * 60_000, minMs: 10_000, maxMs: 7 * DAY }) ?? 30 * 60_000;
  const banMaxMs =
    r.duration('BAN_MAX_DURATION', { default: 30 * DAY, minMs: 60_000, maxMs: 3650 * DAY }) ?? 30 * DAY;
  const banDefaultMs =
    r.duration('BAN_DEFAULT_DURATION', { default: DAY, minMs: 1_000, maxMs: banMaxMs }) ?? DAY;
  const banEscalationFactor = r.int('BAN_ESCALATION_FACTOR', { default: 2, min: 1, max: 10 }) ?? 2;
  const banEscalationCapMs =
    r.duration('BAN_ESCALATION_CAP', { default: 7 * DAY, minMs: 1_000, maxMs: banMaxMs }) ?? 7 * DAY;
  const banEscalationWindowMs =
    r.duration('BAN_ESCALATION_WINDOW', { default: 30 * DAY, minMs: 60_000 }) ?? 30 * DAY;
  const autoBlock = r.bool('AUTO_BLOCK', { default: false }) ?? false;
  const autoBlockMinSeverity = r.oneOf('AUTO_BLOCK_MIN_SEVERITY', SEVERITIES, { default: 'high' }) ?? 'high';
  return {
    firewallBackend,
    nftTable,
    nftPath,
    fail2banJail,
    fail2banClient,
    fail2banConfigDir,
    ufwPath,
    cscliPath,
    crowdsecConfig,
    blockCommand,
    firewallTimeoutMs,
    approvalsRequired,
    proposalTtlMs,
    banDefaultMs,
    banMaxMs,
    banEscalationFactor,
    banEscalationCapMs,
    banEscalationWindowMs,
    autoBlock,
    autoBlockMinSeverity,
  };
}
