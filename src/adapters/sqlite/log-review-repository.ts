import { FindingDraftSchema } from '../../domain/finding.js';
import { localDay } from '../../kernel/local-day.js';
import type { FilePosition, SourcePosition } from '../../logs/acquire/types.js';
import type {
  AddressCountDelta,
  DetectorStateRow,
  LogFindingRow,
  ReviewStore,
  SourceCommit,
  StoredSource,
} from '../../logs/review-store.js';
import type { Database } from './database.js';
import { RowBatch } from './row-batch.js';
import { parseStoredJson } from './stored-json.js';

/** Daily counts are kept twice as long as the longest report (31 days) can look back. */
export const DAILY_RETENTION_MS = 62 * 86_400_000;

/** A `log_files` row: a file source's position spread over its columns, plus its progress. */
export type LogFileRow = Omit<StoredSource, 'position'> & Omit<FilePosition, 'kind'>;

interface RawFile {
  source_id: string;
  path: string;
  dev: string;
  ino: string;
  head_len: number;
  head_hash: string;
  offset: number;
  learning: number;
  parser_state: string | null;
  lines: number;
  matched: number;
  skipped: number;
  position_kind: 'file' | 'journald';
  journal_cursor: string | null;
}

/** The review store of a live review: every commit is one SQLite transaction. */
export class LogReviewRepository implements ReviewStore {
  /** Per source: an upper estimate of its count rows (every upsert counted as an insert). */
  private readonly countRows = new Map<string, number>();

  constructor(private readonly db: Database) {}

  /** The row of a file source (undefined for a journald one: see `source`). */
  file(sourceId: string): LogFileRow | undefined {
    const raw = this.raw(sourceId);
    if (raw?.position_kind !== 'file') return undefined;
    return this.fileRow(raw);
  }

  private raw(sourceId: string): RawFile | undefined {
    return this.db.prepare('SELECT * FROM log_files WHERE source_id = ?').get(sourceId) as
      | RawFile
      | undefined;
  }

  private fileRow(raw: RawFile): LogFileRow {
    let parserState: unknown = null;
    try {
      parserState = raw.parser_state ? JSON.parse(raw.parser_state) : null;
    } catch {
      parserState = null;
    }
    return {
      sourceId: raw.source_id,
      path: raw.path,
      dev: raw.dev,
      ino: raw.ino,
      headLen: raw.head_len,
      headHash: raw.head_hash,
      offset: raw.offset,
      learning: raw.learning === 1,
      parserState,
      lines: raw.lines,
      matched: raw.matched,
      skipped: raw.skipped,
    };
  }

  source(sourceId: string): StoredSource | undefined {
    const raw = this.raw(sourceId);
    if (!raw) return undefined;
    const f = this.fileRow(raw);
    const { path, dev, ino, headLen, headHash, offset } = f;
    const position: SourcePosition =
      raw.position_kind === 'journald'
        ? { kind: 'journald', cursor: raw.journal_cursor, since: raw.offset }
        : { kind: 'file', path, dev, ino, headLen, headHash, offset };
    return {
      sourceId: f.sourceId,
      position,
      learning: f.learning,
      parserState: f.parserState,
      lines: f.lines,
      matched: f.matched,
      skipped: f.skipped,
    };
  }

  detectorState(sourceId: string, detector: string): DetectorStateRow[] {
    return this.db
      .prepare(
        'SELECT ip, state, last_at AS lastAt FROM log_detector_state WHERE source_id = ? AND detector = ? ORDER BY last_at',
      )
      .all(sourceId, detector) as DetectorStateRow[];
  }

  counts(sourceId: string): (AddressCountDelta & { ip: string })[] {
    return this.db
      .prepare(
        `SELECT ip, failures, client_errors AS clientErrors, bad_tokens AS badTokens, last_at AS lastAt
         FROM log_address_counts WHERE source_id = ? ORDER BY ip`,
      )
      .all(sourceId) as (AddressCountDelta & { ip: string })[];
  }

  /** Prepared once: a flood commits thousands of small transactions, each preparing 12 was ~4%. */
  private statements_: ReturnType<typeof prepareCommit> | undefined;

  private get statements(): ReturnType<typeof prepareCommit> {
    this.statements_ ??= prepareCommit(this.db);
    return this.statements_;
  }

  /** One transaction: the new offset never lands without the counts and state it implies. */
  commit(c: SourceCommit, now: number): void {
    // A journal position fills the file columns with neutral values (migration 9).
    const { position, ...rest } = c.source;
    const file: LogFileRow =
      position.kind === 'file'
        ? { ...rest, ...position }
        : { ...rest, path: 'journald', dev: '', ino: '', headLen: 0, headHash: '', offset: position.since };
    const positionKind = position.kind;
    const journalCursor = position.kind === 'journald' ? position.cursor : null;
    const st = this.statements;
    const sourceId = file.sourceId;
    // Left over only if the last transaction threw half-way: none of it may reach this one.
    st.stateRows.clear();
    st.dailyRows.clear();
    this.db.transaction(() => {
      st.upsertFile.run({
        sourceId: file.sourceId,
        path: file.path,
        dev: file.dev,
        ino: file.ino,
        headLen: file.headLen,
        headHash: file.headHash,
        offset: file.offset,
        learning: file.learning ? 1 : 0,
        parserState: file.parserState === null ? null : JSON.stringify(file.parserState),
        lines: file.lines,
        matched: file.matched,
        skipped: file.skipped,
        now,
        positionKind,
        journalCursor,
      });
      const states = st.stateRows;
      c.writeStates(
        (detector, row) => states.push(sourceId, detector, row.ip, row.state, safeInt(row.lastAt)),
        (detector, ip) => {
          // In order: a row written before it is deleted must be written first.
          states.flush();
          st.deleteState.run(sourceId, detector, ip);
        },
      );
      states.flush();
      // Update first, insert when there was nothing to update: the new rows are then known
      // exactly, so the size bound needs no count(*) per commit (it was most of a flood's time).
      let inserted = 0;
      for (const [ip, d] of c.counts) {
        const lastAt = safeInt(d.lastAt);
        if (
          st.updateCounts.run(d.failures, d.clientErrors, d.badTokens, lastAt, sourceId, ip).changes === 0
        ) {
          st.insertCounts.run(sourceId, ip, d.failures, d.clientErrors, d.badTokens, lastAt);
          inserted++;
        }
      }
      for (const [day, byIp] of c.daily)
        for (const [ip, d] of byIp) st.dailyRows.push(day, sourceId, ip, d.failures, d.clientErrors);
      st.dailyRows.flush();
      // An index range on the key's first column: costs nothing when there is nothing to drop.
      st.pruneDaily.run(localDay(now - DAILY_RETENTION_MS));
      if (c.counts.size > 0) this.pruneCounts(sourceId, inserted, c.countsBound);
      for (const f of c.findings) {
        st.upsertFinding.run(
          f.key,
          f.sourceId,
          f.detector,
          f.ip,
          JSON.stringify(f.draft),
          safeInt(f.lastAt),
          safeInt(f.expiresAt),
        );
      }
    })();
  }

  /**
   * Keeps a source's counts within their bound: rows last seen before `seenAfter` go, then the
   * least recently seen beyond `maxAddresses`. Both walk the (source_id, last_at) index; the row
   * count is taken once per source and process, then kept exact from the rows inserted and deleted.
   */
  private pruneCounts(sourceId: string, inserted: number, bound: SourceCommit['countsBound']): void {
    const st = this.statements;
    const seenAfter = Number.isFinite(bound.seenAfter) ? Math.round(bound.seenAfter) : -1;
    const aged = seenAfter < 0 ? 0 : st.pruneAged.run(sourceId, seenAfter).changes;
    const known = this.countRows.get(sourceId);
    let rows =
      known === undefined ? (st.countRows.get(sourceId) as { n: number }).n : known + inserted - aged;
    if (rows > bound.maxAddresses)
      rows -= st.pruneOldest.run(sourceId, sourceId, rows - bound.maxAddresses).changes;
    this.countRows.set(sourceId, rows);
  }

  /** Drops findings whose support is older than their retention; returns how many. */
  expireFindings(now: number): number {
    return this.db.prepare('DELETE FROM log_findings WHERE expires_at <= ?').run(now).changes;
  }

  activeFindings(): LogFindingRow[] {
    const rows = this.db
      .prepare(
        'SELECT key, source_id AS sourceId, detector, ip, draft, last_at AS lastAt, expires_at AS expiresAt FROM log_findings ORDER BY key',
      )
      .all() as (Omit<LogFindingRow, 'draft'> & { draft: string })[];
    return rows.map((r) => ({
      ...r,
      draft: parseStoredJson(r.draft, FindingDraftSchema, 'log_findings', r.key),
    }));
  }
}

function safeInt(n: number): number {
  return Number.isFinite(n) ? Math.round(n) : 0;
}

/** The statements of a commit (log_files, state, counts, daily counts, findings). */
function prepareCommit(db: Database) {
  return {
    upsertFile: db.prepare(
      `INSERT INTO log_files (source_id, path, dev, ino, head_len, head_hash, offset, learning, parser_state, lines, matched, skipped, updated_at, position_kind, journal_cursor)
       VALUES (@sourceId, @path, @dev, @ino, @headLen, @headHash, @offset, @learning, @parserState, @lines, @matched, @skipped, @now, @positionKind, @journalCursor)
       ON CONFLICT (source_id) DO UPDATE SET path = excluded.path, dev = excluded.dev, ino = excluded.ino,
         head_len = excluded.head_len, head_hash = excluded.head_hash, offset = excluded.offset, learning = excluded.learning,
         parser_state = excluded.parser_state, lines = excluded.lines, matched = excluded.matched, skipped = excluded.skipped,
         updated_at = excluded.updated_at, position_kind = excluded.position_kind, journal_cursor = excluded.journal_cursor`,
    ),
    stateRows: new RowBatch(
      db,
      'INSERT INTO log_detector_state (source_id, detector, ip, state, last_at)',
      'ON CONFLICT (source_id, detector, ip) DO UPDATE SET state = excluded.state, last_at = excluded.last_at',
    ),
    deleteState: db.prepare('DELETE FROM log_detector_state WHERE source_id = ? AND detector = ? AND ip = ?'),
    updateCounts: db.prepare(
      `UPDATE log_address_counts SET failures = failures + ?, client_errors = client_errors + ?,
         bad_tokens = bad_tokens + ?, last_at = MAX(last_at, ?) WHERE source_id = ? AND ip = ?`,
    ),
    insertCounts: db.prepare(
      'INSERT INTO log_address_counts (source_id, ip, failures, client_errors, bad_tokens, last_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    dailyRows: new RowBatch(
      db,
      'INSERT INTO log_daily_counts (day, source_id, ip, failures, client_errors)',
      `ON CONFLICT (day, source_id, ip) DO UPDATE SET failures = failures + excluded.failures,
         client_errors = client_errors + excluded.client_errors`,
    ),
    pruneDaily: db.prepare('DELETE FROM log_daily_counts WHERE day < ?'),
    upsertFinding: db.prepare(
      `INSERT INTO log_findings (key, source_id, detector, ip, draft, last_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET draft = excluded.draft, last_at = excluded.last_at, expires_at = excluded.expires_at`,
    ),
    pruneAged: db.prepare('DELETE FROM log_address_counts WHERE source_id = ? AND last_at < ?'),
    countRows: db.prepare('SELECT count(*) AS n FROM log_address_counts WHERE source_id = ?'),
    pruneOldest: db.prepare(
      `DELETE FROM log_address_counts WHERE source_id = ? AND ip IN (
         SELECT ip FROM log_address_counts WHERE source_id = ? ORDER BY last_at LIMIT ?)`,
    ),
  };
}
