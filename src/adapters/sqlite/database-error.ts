import { UserError } from '../../kernel/errors.js';

/**
 * The database cannot be used for a reason the admin fixes outside plex-warden (permissions, a
 * lock held by another process, a file that is not SQLite). The message names the path and why.
 * Apart from database.ts so the CLI can recognise it without loading SQLite.
 */
export class DatabaseError extends UserError {}
