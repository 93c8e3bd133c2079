import { ActionRunner } from '../../src/actions/action-runner.js';
import { AllowlistService } from '../../src/actions/allowlist-service.js';
import { BanService } from '../../src/actions/ban-service.js';
import { BlockPolicy, type BlockTarget } from '../../src/actions/block-policy.js';
import { ProposalService } from '../../src/actions/proposal-service.js';
import type { RemoteAccessPort } from '../../src/actions/remote-access-port.js';
import type { FirewallBackend, FirewallEntry } from '../../src/adapters/firewall/types.js';
import type { AllowlistRepository } from '../../src/adapters/sqlite/allowlist-repository.js';
import type { AuditLogRepository } from '../../src/adapters/sqlite/audit-log-repository.js';
import type { BanRepository } from '../../src/adapters/sqlite/ban-repository.js';
import { createRepositories, type Database, openDatabase } from '../../src/adapters/sqlite/index.js';
import type { ProposalRepository } from '../../src/adapters/sqlite/proposal-repository.js';
import { type ActionsConfig, readActionsConfig } from '../../src/config/actions.js';
import { EnvReader } from '../../src/config/reader.js';
import { type Logger, silentLogger } from '../../src/kernel/logger.js';
import { AddressScope } from '../../src/net/address-scope.js';
import { ManualClock } from './manual-clock.js';

/** A database with every registered migration, as the bot opens it. */
export function openTestDatabase(path = ':memory:'): Database {
  return openDatabase(path);
}

export function actionsConfig(env: Record<string, string> = {}): ActionsConfig {
  const r = new EnvReader(env);
  const config = readActionsConfig(r);
  if (r.problems.length > 0) throw new Error(r.problems.join('; '));
  return config;
}

/** An in-memory firewall that keeps what it was told, with an optional failure switch. */
export class MemoryFirewall implements FirewallBackend {
  readonly name = 'nftables' as const;
  readonly entries = new Map<string, { expiresAt: number; comment: string }>();
  readonly calls: string[] = [];
  failNext: Error | undefined;
  /** Every unblock fails while set (a firewall that keeps refusing). */
  failUnblocks: Error | undefined;

  constructor(private readonly clock: { now(): number }) {}

  async prepare(): Promise<void> {
    this.calls.push('prepare');
  }
  async block(target: BlockTarget, durationMs: number, comment: string): Promise<void> {
    this.calls.push(`block ${target.text} ${durationMs}`);
    this.throwIfFailing();
    this.entries.set(target.text, { expiresAt: this.clock.now() + durationMs, comment });
  }
  async blockMany(
    items: readonly { target: BlockTarget; durationMs: number; comment: string }[],
  ): Promise<void> {
    this.calls.push(`blockMany ${items.map((i) => i.target.text).join(',')}`);
    this.throwIfFailing();
    for (const i of items)
      this.entries.set(i.target.text, { expiresAt: this.clock.now() + i.durationMs, comment: i.comment });
  }
  async unblock(target: BlockTarget): Promise<void> {
    this.calls.push(`unblock ${target.text}`);
    if (this.failUnblocks) throw this.failUnblocks;
    this.throwIfFailing();
    this.entries.delete(target.text);
  }
  async list(): Promise<FirewallEntry[]> {
    return [...this.entries].map(([target, e]) => ({ target, expiresAt: e.expiresAt, comment: e.comment }));
  }
  private throwIfFailing(): void {
    const error = this.failNext;
    this.failNext = undefined;
    if (error) throw error;
  }
}

/** A RemoteAccessPort that records calls and answers as told. */
export class FakeRemoteAccess implements RemoteAccessPort {
  enabled = true;
  offAt: number | undefined;
  readonly calls: string[] = [];
  verifyOk = true;

  async status() {
    return {
      enabled: this.enabled,
      offAt: this.offAt,
      lines: [`Remote access is ${this.enabled ? 'on' : 'off'}.`],
    };
  }
  async turnOff() {
    this.calls.push('off');
    this.enabled = false;
    return { ok: this.verifyOk, lines: ['Preference off; router mapping 32400 removed.'] };
  }
  async turnOn(options: { forMs?: number }) {
    this.calls.push(`on ${options.forMs ?? '-'}`);
    this.enabled = true;
    return { ok: this.verifyOk, lines: ['Preference on.'] };
  }
}

export interface ActionsFixture {
  readonly db: Database;
  readonly clock: ManualClock;
  readonly config: ActionsConfig;
  readonly firewall: FirewallBackend;
  readonly proposalsRepo: ProposalRepository;
  readonly bansRepo: BanRepository;
  readonly allowlist: AllowlistRepository;
  readonly audit: AuditLogRepository;
  readonly policy: BlockPolicy;
  readonly bans: BanService;
  readonly proposals: ProposalService;
  readonly remote: FakeRemoteAccess;
}

export function actionsFixture(
  options: {
    env?: Record<string, string>;
    db?: Database;
    clock?: ManualClock;
    firewall?: (clock: ManualClock) => FirewallBackend;
    publicIp?: string;
    logger?: Logger;
  } = {},
): ActionsFixture {
  const db = options.db ?? openTestDatabase();
  const clock = options.clock ?? new ManualClock();
  const config = actionsConfig(options.env);
  const firewall = options.firewall ? options.firewall(clock) : new MemoryFirewall(clock);
  const repos = createRepositories(db);
  const { proposals: proposalsRepo, bans: bansRepo, allowlist, audit } = repos;
  const logger = options.logger ?? silentLogger();
  const policy = new BlockPolicy(
    new AddressScope({
      lanCidrs: ['192.168.1.0/24'],
      allowlist: ['198.51.100.10'],
      publicIp: options.publicIp ?? '203.0.113.1',
      allowEntries: (now) => allowlist.active(now),
      now: () => clock.now(),
    }),
  );
  const bans = new BanService({ config, policy, firewall, bans: bansRepo, allowlist, audit, clock, logger });
  const remote = new FakeRemoteAccess();
  const proposals = new ProposalService({
    transaction: repos.transaction,
    config,
    proposals: proposalsRepo,
    audit,
    runner: new ActionRunner({
      bans,
      allowlist: new AllowlistService({ allowlist, audit, transaction: repos.transaction, clock }),
      audit,
      remoteAccess: remote,
      clock,
    }),
    clock,
    logger,
  });
  return {
    db,
    clock,
    config,
    firewall,
    proposalsRepo,
    bansRepo,
    allowlist,
    audit,
    policy,
    bans,
    proposals,
    remote,
  };
}
