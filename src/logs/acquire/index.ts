import type { LogSourceConfig } from '../../config/logs.js';
import { FileCursor } from './file-cursor.js';
import { currentFile } from './source-files.js';
import type { CursorOptions, SourceCursor } from './types.js';

/**
 * The cursor for a configured source. Every source is a file today; a source that is not
 * (`journald:UNIT`, a Docker json-file log) gets its cursor here, and nothing past this point
 * changes.
 */
export function openCursor(source: LogSourceConfig, options: CursorOptions): SourceCursor {
  return new FileCursor(() => currentFile(source), options);
}
