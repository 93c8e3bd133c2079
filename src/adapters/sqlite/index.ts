import { AccountSignalRepository } from './account-signal-repository.js';
import { AddressHistoryRepository } from './address-history-repository.js';
import { AllowlistRepository } from './allowlist-repository.js';
import { AuditLogRepository } from './audit-log-repository.js';
import { BanRepository } from './ban-repository.js';
import { CheckStateRepository } from './check-state-repository.js';
import { type Database, openDatabase } from './database.js';
import { DatabaseHealthRepository } from './database-health-repository.js';
import { FindingRepository } from './finding-repository.js';
import { LogReviewRepository } from './log-review-repository.js';
import { OutboxRepository } from './outbox-repository.js';
import { ProposalRepository } from './proposal-repository.js';
import { PublicAddressRepository } from './public-address-repository.js';
import { RemoteAccessRepository } from './remote-access-repository.js';
import { ReportRepository } from './report-repository.js';
import { ScanRunRepository } from './scan-run-repository.js';
import { SettingsRepository } from './settings-repository.js';

export { type Database, openDatabase } from './database.js';

/**
 * Runs `fn` in one SQLite transaction: every write in it commits together or not at all. Nested
 * calls join the outer transaction (better-sqlite3 turns them into savepoints).
 */
export type Transaction = <T>(fn: () => T) => T;

/**
 * Every repository, built once over one connection and handed around in the context. This is
 * the only place a repository is built in `src`: services get repositories and `transaction`,
 * never the connection.
 */
export interface Repositories {
  readonly settings: SettingsRepository;
  readonly scanRuns: ScanRunRepository;
  readonly findings: FindingRepository;
  readonly checkState: CheckStateRepository;
  readonly outbox: OutboxRepository;
  readonly logReview: LogReviewRepository;
  readonly publicAddresses: PublicAddressRepository;
  readonly allowlist: AllowlistRepository;
  readonly audit: AuditLogRepository;
  readonly bans: BanRepository;
  readonly proposals: ProposalRepository;
  readonly remoteAccess: RemoteAccessRepository;
  readonly report: ReportRepository;
  readonly accountSignals: AccountSignalRepository;
  readonly health: DatabaseHealthRepository;
  /** The log review's tables read for one address (whois). */
  readonly addressHistory: AddressHistoryRepository;
  readonly transaction: Transaction;
}

export function createRepositories(db: Database): Repositories {
  return {
    settings: new SettingsRepository(db),
    scanRuns: new ScanRunRepository(db),
    findings: new FindingRepository(db),
    checkState: new CheckStateRepository(db),
    outbox: new OutboxRepository(db),
    logReview: new LogReviewRepository(db),
    allowlist: new AllowlistRepository(db),
    audit: new AuditLogRepository(db),
    bans: new BanRepository(db),
    proposals: new ProposalRepository(db),
    remoteAccess: new RemoteAccessRepository(db),
    report: new ReportRepository(db),
    accountSignals: new AccountSignalRepository(db),
    health: new DatabaseHealthRepository(db),
    addressHistory: new AddressHistoryRepository(db),
    publicAddresses: new PublicAddressRepository(db),
    transaction: (fn) => db.transaction(fn)(),
  };
}

/** An open database seen only through its repositories; `close` ends the connection. */
export interface Store {
  readonly repos: Repositories;
  close(): void;
}

/** Opens (and migrates) the database at `path`; see `openDatabase` for the errors it throws. */
export function openStore(path: string): Store {
  const db = openDatabase(path);
  let closed = false;
  return {
    repos: createRepositories(db),
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
