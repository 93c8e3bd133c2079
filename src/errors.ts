import { randomBytes } from 'node:crypto';

/** An error whose message is written for the user and is safe to show in Discord or a terminal. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** A short reference printed to the user and logged with the full error, to find one in the other. */
export function errorReference(): string {
  return randomBytes(4).toString('hex');
}
