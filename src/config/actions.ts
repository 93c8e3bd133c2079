import type { Severity } from '../domain/severity.js';
import { formatDuration } from '../kernel/duration.js';
import type { Key } from './key.js';
import { ACTIONS, type FIREWALL_BACKENDS } from './keys/index.js';
import type { EnvReader } from './reader.js';

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

/** Escalated and default bans stay within the longest ban; the table's bounds are static. */
function withinMax(r: EnvReader, key: Key<number, true>, maxMs: number): number {
  const value = r.value(key);
  if (value <= maxMs) return value;
  // A default longer than a short BAN_MAX_DURATION follows it; a value the user set is named.
  if (!r.has(key)) return maxMs;
  r.problem(key, `a duration no longer than BAN_MAX_DURATION (${formatDuration(maxMs)})`, r.raw(key));
  return maxMs;
}

export function readActionsConfig(r: EnvReader): ActionsConfig {
  const k = ACTIONS.keys;
  const firewallBackend = r.value(k.FIREWALL_BACKEND);
  const banMaxMs = r.value(k.BAN_MAX_DURATION);
  return {
    firewallBackend,
    nftTable: r.value(k.NFT_TABLE),
    nftPath: r.value(k.NFT_PATH),
    fail2banJail: r.value(k.FAIL2BAN_JAIL),
    fail2banClient: r.value(k.FAIL2BAN_CLIENT),
    fail2banConfigDir: r.value(k.FAIL2BAN_CONFIG_DIR),
    ufwPath: r.value(k.UFW_PATH),
    cscliPath: r.value(k.CSCLI_PATH),
    crowdsecConfig: r.value(k.CROWDSEC_CONFIG),
    blockCommand: r.value(k.BLOCK_COMMAND, { required: firewallBackend === 'command' }),
    firewallTimeoutMs: r.value(k.FIREWALL_TIMEOUT),
    approvalsRequired: r.value(k.APPROVALS_REQUIRED),
    proposalTtlMs: r.value(k.PROPOSAL_TTL),
    banDefaultMs: withinMax(r, k.BAN_DEFAULT_DURATION, banMaxMs),
    banMaxMs,
    banEscalationFactor: r.value(k.BAN_ESCALATION_FACTOR),
    banEscalationCapMs: withinMax(r, k.BAN_ESCALATION_CAP, banMaxMs),
    banEscalationWindowMs: r.value(k.BAN_ESCALATION_WINDOW),
    autoBlock: r.value(k.AUTO_BLOCK),
    autoBlockMinSeverity: r.value(k.AUTO_BLOCK_MIN_SEVERITY),
  };
}
