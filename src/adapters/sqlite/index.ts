import { CheckStateRepository } from './check-state-repository.js';
import type { Database } from './database.js';
import { FindingRepository } from './finding-repository.js';
import { LogReviewRepository } from './log-review-repository.js';
import { OutboxRepository } from './outbox-repository.js';
import { PublicAddressRepository } from './public-address-repository.js';
import { ScanRunRepository } from './scan-run-repository.js';
import { SettingsRepository } from './settings-repository.js';

export { type Database, openDatabase } from './database.js';

/** Every repository, built once over one connection and handed around in the context. */
export interface Repositories {
  readonly settings: SettingsRepository;
  readonly scanRuns: ScanRunRepository;
  readonly findings: FindingRepository;
  readonly checkState: CheckStateRepository;
  readonly outbox: OutboxRepository;
  readonly logReview: LogReviewRepository;
  readonly publicAddresses: PublicAddressRepository;
}

export function createRepositories(db: Database): Repositories {
  return {
    settings: new SettingsRepository(db),
    scanRuns: new ScanRunRepository(db),
    findings: new FindingRepository(db),
    checkState: new CheckStateRepository(db),
    outbox: new OutboxRepository(db),
    logReview: new LogReviewRepository(db),
    publicAddresses: new PublicAddressRepository(db),
  };
}
