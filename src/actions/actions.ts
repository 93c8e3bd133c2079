/**
 * Builds the actions side once, for the composition root: policy, firewall backend, ban and
 * proposal services, and the expiry scheduler. `start` runs on bot start (reconcile the
 * firewall with the database, close proposals a crash left running, lift overdue bans, expire
 * old proposals); `stop` on shutdown.
 */

import { createFirewall } from '../adapters/firewall/create-firewall.js';
import type { FirewallBackend } from '../adapters/firewall/types.js';
import { AllowlistRepository } from '../adapters/sqlite/allowlist-repository.js';
import { AuditLogRepository } from '../adapters/sqlite/audit-log-repository.js';
import { BanRepository } from '../adapters/sqlite/ban-repository.js';
import type { Database } from '../adapters/sqlite/database.js';
import { ProposalRepository } from '../adapters/sqlite/proposal-repository.js';
import type { Config } from '../config/index.js';
import type { Proposal } from '../domain/proposal.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import type { AddressScope } from '../net/address-scope.js';
import { BanService, type ReconcileReport } from './ban-service.js';
import { BlockPolicy } from './block-policy.js';
import { ExpiryScheduler } from './expiry-scheduler.js';
import { ProposalService } from './proposal-service.js';
import type { RemoteAccessPort } from './remote-access-port.js';

export interface ActionsDeps {
  readonly config: Config;
  readonly db: Database;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The real Plex/router implementation (issue 4); undefined: /remote-access says it is not set up. */
  readonly remoteAccess?: RemoteAccessPort | undefined;
  /** Tests pass a backend; otherwise FIREWALL_BACKEND decides. */
  readonly firewall?: FirewallBackend | undefined;
  /** Whose address is this: the block policy refuses the household's own, the LAN, the allowed. */
  readonly scope: AddressScope;
}

export interface ActionsStartOptions {
  /** A proposal closed without a reaction (expired, interrupted): edit its message. */
  readonly onProposalClosed?: (proposal: Proposal) => Promise<void>;
}

export interface ActionsStartReport {
  readonly reconcile: ReconcileReport;
  readonly interrupted: readonly Proposal[];
}

export interface Actions {
  readonly policy: BlockPolicy;
  readonly firewall: FirewallBackend;
  readonly bans: BanService;
  readonly proposals: ProposalService;
  readonly allowlist: AllowlistRepository;
  readonly audit: AuditLogRepository;
  readonly remoteAccess: RemoteAccessPort | undefined;
  start(options?: ActionsStartOptions): Promise<ActionsStartReport>;
  /** Runs the expiry work now (bans and proposals) instead of waiting for the timer. */
  sweep(): Promise<void>;
  /** Stops the scheduler and waits for actions that are running to finish and be recorded. */
  stop(): Promise<void>;
}

export function createActions(deps: ActionsDeps): Actions {
  const { config, db, logger, clock } = deps;
  const log = logger.child({ area: 'actions' });
  const allowlist = new AllowlistRepository(db);
  const audit = new AuditLogRepository(db);
  const policy = new BlockPolicy(deps.scope);
  const firewall = deps.firewall ?? createFirewall(config.actions, clock);
  let scheduler: ExpiryScheduler | undefined;
  const poke = () => scheduler?.poke();
  const bans = new BanService({
    config: config.actions,
    policy,
    firewall,
    bans: new BanRepository(db),
    allowlist,
    audit,
    clock,
    logger: log,
    onChange: poke,
  });
  const proposals = new ProposalService({
    db,
    config: config.actions,
    proposals: new ProposalRepository(db),
    audit,
    bans,
    remoteAccess: deps.remoteAccess,
    clock,
    logger: log,
    onChange: poke,
  });
  return {
    policy,
    firewall,
    bans,
    proposals,
    allowlist,
    audit,
    remoteAccess: deps.remoteAccess,
    async start(options = {}) {
      const notify = async (proposal: Proposal) => {
        try {
          await options.onProposalClosed?.(proposal);
        } catch (error) {
          log.warn('could not update a closed proposal message', { proposalId: proposal.id, error });
        }
      };
      const interrupted = proposals.failInterrupted();
      for (const p of interrupted) await notify(p);
      // The scheduler starts even when the firewall cannot be reconciled: proposals must still
      // expire and recorded bans still end on time.
      let reconcile: ReconcileReport | undefined;
      let failure: unknown;
      try {
        reconcile = await bans.reconcile();
      } catch (error) {
        failure = error;
      }
      scheduler = new ExpiryScheduler(
        [
          { name: 'bans', next: () => bans.nextExpiry(), run: async () => void (await bans.expireDue()) },
          {
            name: 'proposals',
            next: () => proposals.nextExpiry(),
            run: async () => {
              for (const p of proposals.expireDue()) await notify(p);
            },
          },
        ],
        clock,
        log,
      );
      await scheduler.start();
      if (!reconcile) throw failure;
      return { reconcile, interrupted };
    },
    async sweep() {
      await scheduler?.runNow();
    },
    async stop() {
      await scheduler?.stop();
      await proposals.settle();
    },
  };
}
