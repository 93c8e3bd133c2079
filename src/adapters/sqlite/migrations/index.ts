import { initial } from './001-initial.js';
import { logReview } from './002-log-review.js';
import { actions } from './003-actions.js';
import { remoteAccess } from './004-remote-access.js';
import { actionChecks } from './005-action-checks.js';
import { outboxSetAside } from './006-outbox-set-aside.js';
import { addressScope } from './007-address-scope.js';
import { dailyCounts } from './008-daily-counts.js';
import { journalPosition } from './009-journal-position.js';
import { logCountsAge } from './010-log-counts-age.js';
import { findingAddressIndex } from './011-finding-addresses.js';
import { accountSignals } from './012-account-signals.js';
import { seenChunks } from './013-seen-chunks.js';
import type { Migration } from './types.js';

/** Forward-only, in order. Append; never edit a migration that has shipped. */
export const migrations: readonly Migration[] = [
  initial,
  logReview,
  actions,
  remoteAccess,
  actionChecks,
  outboxSetAside,
  addressScope,
  dailyCounts,
  journalPosition,
  logCountsAge,
  findingAddressIndex,
  accountSignals,
  seenChunks,
];
