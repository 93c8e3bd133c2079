/**
 * Builds the actions side once, for the composition root: policy, firewall backend, ban and
 * proposal services, and the ban and proposal expiry jobs (registered with the job scheduler,
 * which runs what is overdue when it starts). `start` runs on bot start, before the scheduler
 * (reconcile the firewall with the database, close proposals a crash left running); `stop` on
 * shutdown, after it.
 */

import { createFirewall } from '../adapters/firewall/create-firewall.js';
import type { FirewallBackend } from '../adapters/firewall/types.js';
import type { PlexClient } from '../adapters/plex/plex-client.js';
import type { PlexTvClient } from '../adapters/plex/plex-tv-client.js';
import type { AuditLogRepository } from '../adapters/sqlite/audit-log-repository.js';
import type { Repositories } from '../adapters/sqlite/index.js';
import type { Config } from '../config/index.js';
import type { Ban } from '../domain/ban.js';
import type { Proposal } from '../domain/proposal.js';
import type { Clock } from '../kernel/clock.js';
import type { JobScheduler } from '../kernel/job-scheduler.js';
import type { Logger } from '../kernel/logger.js';
import type { AddressScope } from '../net/address-scope.js';
import { ActionRunner } from './action-runner.js';
import { AllowlistService } from './allowlist-service.js';
import { BanService, type ReconcileReport } from './ban-service.js';
import { BlockPolicy } from './block-policy.js';
import { ProposalService } from './proposal-service.js';
import type { RemoteAccessPort } from './remote-access-port.js';

export interface ActionsDeps {
  readonly config: Config;
  readonly repos: Repositories;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly jobs: JobScheduler;
  /** The real Plex/router implementation (issue 4); undefined: /remote-access says it is not set up. */
  readonly remoteAccess?: RemoteAccessPort | undefined;
  /** Tests pass a backend; otherwise FIREWALL_BACKEND decides. */
  readonly firewall?: FirewallBackend | undefined;
  /** Whose address is this: the block policy refuses the household's own, the LAN, the allowed. */
  readonly scope: AddressScope;
  /** plex.tv with the owner's token, for the account actions (sign out a device, remove a share). */
  readonly plexTv?: PlexTvClient | undefined;
  /** Throws unless PLEX_TOKEN is the server owner's (account actions ask before they run). */
  readonly assertAccountOwner?: ((signal: AbortSignal) => Promise<void>) | undefined;
  /** The Plex Media Server, for stopping streams. */
  readonly plex?: Pick<PlexClient, 'terminateSession'> | undefined;
}

export interface ActionsStartOptions {
  /** A proposal closed without a reaction (expired, interrupted): edit its message. */
  readonly onProposalClosed?: (proposal: Proposal) => Promise<void>;
  /** An expired ban the firewall refused to remove for the last time: say so, once. */
  readonly onBanStuck?: (ban: Ban) => Promise<void>;
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
  readonly allowlist: AllowlistService;
  readonly audit: AuditLogRepository;
  readonly remoteAccess: RemoteAccessPort | undefined;
  start(options?: ActionsStartOptions): Promise<ActionsStartReport>;
  /** Runs the expiry work now (bans and proposals) instead of waiting for the timer. */
  sweep(): Promise<void>;
  /** Waits for actions that are running to finish and be recorded (the jobs stop with the scheduler). */
  stop(): Promise<void>;
}

export function createActions(deps: ActionsDeps): Actions {
  const { config, repos, logger, clock } = deps;
  const log = logger.child({ area: 'actions' });
  const { audit } = repos;
  const allowlist = new AllowlistService({
    allowlist: repos.allowlist,
    audit,
    transaction: repos.transaction,
    clock,
  });
  const policy = new BlockPolicy(deps.scope);
  const firewall = deps.firewall ?? createFirewall(config.actions, clock);
  let onProposalClosed: ActionsStartOptions['onProposalClosed'];
  let onBanStuck: ActionsStartOptions['onBanStuck'];
  const notify = async (proposal: Proposal) => {
    try {
      await onProposalClosed?.(proposal);
    } catch (error) {
      log.warn('could not update a closed proposal message', { proposalId: proposal.id, error });
    }
  };
  const reportStuck = async (stuck: readonly Ban[]) => {
    for (const ban of stuck) {
      try {
        await onBanStuck?.(ban);
      } catch (error) {
        log.warn('could not report a ban stuck in the firewall', { target: ban.target, error });
      }
    }
  };
  // Expiry waits at most a minute, so a clock jump or a row another process wrote is seen; work
  // still overdue after a run (the firewall is down) is retried with backoff, not in a loop.
  const expiry = { recheckMs: 60_000 } as const;
  const retry = { firstMs: 5_000, maxMs: 5 * 60_000 } as const;
  let banExpiry: { poke(): void; runNow(): Promise<void> } | undefined;
  let proposalExpiry: { poke(): void; runNow(): Promise<void> } | undefined;
  const poke = () => {
    banExpiry?.poke();
    proposalExpiry?.poke();
  };
  const bans = new BanService({
    config: config.actions,
    policy,
    firewall,
    bans: repos.bans,
    allowlist: repos.allowlist,
    audit,
    clock,
    logger: log,
    onChange: poke,
  });
  const proposals = new ProposalService({
    transaction: repos.transaction,
    config: config.actions,
    proposals: repos.proposals,
    audit,
    runner: new ActionRunner({
      bans,
      allowlist,
      audit,
      remoteAccess: deps.remoteAccess,
      clock,
      plexTv: deps.plexTv,
      assertOwner: deps.assertAccountOwner,
      plex: deps.plex,
    }),
    clock,
    logger: log,
    onChange: poke,
  });
  banExpiry = deps.jobs.add({
    name: 'ban-expiry',
    schedule: { kind: 'due', next: () => bans.nextExpiry(), ...expiry },
    retry,
    run: async () => {
      await reportStuck((await bans.expireDue()).stuck);
      return 'done';
    },
  });
  proposalExpiry = deps.jobs.add({
    name: 'proposal-expiry',
    schedule: { kind: 'due', next: () => proposals.nextExpiry(), ...expiry },
    retry,
    run: async () => {
      for (const p of proposals.expireDue()) await notify(p);
      return 'done';
    },
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
      onProposalClosed = options.onProposalClosed;
      onBanStuck = options.onBanStuck;
      const interrupted = proposals.failInterrupted();
      for (const p of interrupted) await notify(p);
      // A firewall that cannot be reconciled does not stop the expiry jobs: proposals must still
      // expire and recorded bans still end on time.
      const reconcile = await bans.reconcile();
      await reportStuck(reconcile.stuck);
      return { reconcile, interrupted };
    },
    async sweep() {
      await banExpiry?.runNow();
      await proposalExpiry?.runNow();
    },
    async stop() {
      await proposals.settle();
    },
  };
}
