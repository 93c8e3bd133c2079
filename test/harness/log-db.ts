import { type Database, openDatabase } from '../../src/adapters/sqlite/database.js';

/** The database with every registered migration, exactly as the bot opens it. */
export function openTestDatabase(path: string): Database {
  return openDatabase(path);
}
