import type { BlockTarget } from '../../actions/block-policy.js';
import type { FirewallBackendName } from '../../config/actions.js';
import { ServiceError } from '../../kernel/errors.js';

/** One ban as the firewall itself reports it. */
export interface FirewallEntry {
  /** Canonical text, as in BlockTarget.text. */
  readonly target: string;
  /** When the firewall will drop it by itself (epoch ms), if it keeps time. */
  readonly expiresAt: number | undefined;
  readonly comment: string | undefined;
}

/**
 * What every firewall backend does. Backends take only `BlockTarget`s (canonical text from
 * parseBlockTarget), run programs with argument arrays and never through a shell, and throw
 * `FirewallError` with the program's stderr when something fails.
 */
export interface FirewallBackend {
  readonly name: FirewallBackendName;
  /** Creates what the backend needs (our nftables table); idempotent. */
  prepare(signal?: AbortSignal): Promise<void>;
  /** Adds or refreshes a ban; a second block of the same target resets its duration. */
  block(target: BlockTarget, durationMs: number, comment: string, signal?: AbortSignal): Promise<void>;
  /** Optional: many bans in one call (one nft batch); callers fall back to block() one by one. */
  blockMany?(items: readonly BlockItem[], signal?: AbortSignal): Promise<void>;
  /** Removes a ban; removing one that is not there is not an error. */
  unblock(target: BlockTarget, signal?: AbortSignal): Promise<void>;
  /** Current bans, or undefined when the backend cannot tell (none, command). */
  list(signal?: AbortSignal): Promise<readonly FirewallEntry[] | undefined>;
}

export interface BlockItem {
  readonly target: BlockTarget;
  readonly durationMs: number;
  readonly comment: string;
}

/**
 * A firewall program failed, timed out or answered something we could not read. The message is
 * ours and safe to show; the program's own output stays in `details`, which goes to the log only.
 */
export class FirewallError extends ServiceError {
  override readonly name = 'FirewallError';
  constructor(
    message: string,
    readonly details: {
      readonly backend: FirewallBackendName;
      readonly program?: string;
      readonly exitCode?: number | null;
      readonly stderr?: string;
      readonly timedOut?: boolean;
    },
  ) {
    super('the firewall', details.timedOut === true ? 'timeout' : 'refused', message);
  }
}
