import { closeSync, fstatSync, openSync } from 'node:fs';
import type { LogsConfig, NetworkConfig } from '../config/index.js';
import type { LogSourceKind } from '../config/logs.js';
import type { FindingDraft } from '../domain/finding.js';
import { UserError } from '../kernel/errors.js';
import { AddressScope } from '../net/address-scope.js';
import type { AddressBookOptions } from './address-book.js';
import { currentFile } from './source-files.js';
import { SourceReview } from './source-review.js';

export interface ReplayAddress {
  readonly ip: string;
  readonly failures: number;
  readonly clientErrors: number;
  readonly badTokens: number;
}

export interface ReplayResult {
  readonly path: string;
  readonly kind: LogSourceKind;
  readonly lines: number;
  /** Lines that meant something (including allow-listed routine requests). */
  readonly matched: number;
  readonly routine: number;
  /** Lines this format does not write (continuations, garbage, over-long lines). */
  readonly skipped: number;
  readonly durationMs: number;
  /** Busiest addresses first. */
  readonly addresses: readonly ReplayAddress[];
  /** What the detectors would flag if nothing were known yet (first-seen included). */
  readonly findings: readonly FindingDraft[];
  /** Per detector: addresses tracked at the end and dropped for the memory bound. */
  readonly tracking: readonly {
    readonly detector: string;
    readonly tracked: number;
    readonly evicted: number;
  }[];
}

/**
 * Dry run of one file with one parser, like fail2ban-regex: every line is read, the detectors
 * run over the whole file regardless of age, and nothing is read from or written to the
 * database.
 */
export function replayFile(
  path: string,
  kind: LogSourceKind,
  deps: { logs: LogsConfig; network: NetworkConfig; isAllowed?: (ip: string) => boolean; now: () => number },
): ReplayResult {
  let fd: number;
  // A Plex Logs folder means its main file, as in LOG_SOURCES.
  const file = kind === 'plex' ? currentFile({ id: kind, kind, path }) : path;
  try {
    fd = openSync(file, 'r');
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw new UserError(`${file} is a folder: give a log file.`);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const t0 = performance.now();
  try {
    const size = fstatSync(fd).size;
    const review = new SourceReview({
      source: { id: kind, kind, path },
      settings: deps.logs.settings[kind],
      logs: deps.logs,
      repo: undefined,
      now: deps.now,
    });
    // A dry run knows the configuration only: no /allow entries, no learned public IP.
    const scope = AddressScope.fromConfig(deps.network, { extraAllowed: deps.isAllowed, now: deps.now });
    const addresses: AddressBookOptions = { scope, cacheSize: deps.logs.maxTrackedAddresses };
    review.replay(fd, size, addresses);
    const c = review.counters;
    const list = [...review.counts].map(([ip, d]) => ({
      ip,
      failures: d.failures,
      clientErrors: d.clientErrors,
      badTokens: d.badTokens,
    }));
    list.sort(
      (a, b) => b.failures + b.clientErrors + b.badTokens - (a.failures + a.clientErrors + a.badTokens),
    );
    return {
      path: file,
      kind,
      lines: c.lines,
      matched: c.matched,
      routine: c.routine,
      skipped: c.skipped,
      durationMs: performance.now() - t0,
      addresses: list,
      findings: review.renderAll(),
      tracking: review.instances.map((i) => ({ detector: i.id, tracked: i.tracked, evicted: i.evicted })),
    };
  } finally {
    closeSync(fd);
  }
}
