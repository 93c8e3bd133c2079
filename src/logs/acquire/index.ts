import type { LogSourceConfig } from '../../config/logs.js';
import { DockerCursor } from './docker-cursor.js';
import { FileCursor } from './file-cursor.js';
import { JournalCursor } from './journal-cursor.js';
import { currentFile } from './source-files.js';
import type { CursorOptions, SourceCursor } from './types.js';

/**
 * The cursor for a configured source: a file followed across rotation; the same with Docker's
 * json-file wrapping taken off each line; or a journal read with journalctl. Nothing past this
 * point knows which.
 */
export function openCursor(source: LogSourceConfig, options: CursorOptions): SourceCursor {
  if (source.via === 'journald' && source.journal) {
    return new JournalCursor(source.journal, {
      chunkBytes: options.chunkBytes,
      maxAgeMs: options.maxAgeMs,
      now: options.now,
    });
  }
  const files = new FileCursor(() => currentFile(source), options);
  return source.via === 'docker' ? new DockerCursor(files) : files;
}
