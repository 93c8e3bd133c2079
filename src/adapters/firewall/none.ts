/**
 * none backend: records bans in the database only and enforces nothing. Why it matters: a
 * household can try the approval flow (and keep an audit trail of who asked to block whom)
 * before giving the bot firewall rights. /blocks says that nothing is enforced.
 */
import { assertCanonical, type BlockTarget } from '../../actions/block-policy.js';
import type { FirewallBackend } from './types.js';

export class NoneBackend implements FirewallBackend {
  readonly name = 'none' as const;

  async prepare(): Promise<void> {}

  async block(target: BlockTarget): Promise<void> {
    assertCanonical(target);
  }

  async unblock(target: BlockTarget): Promise<void> {
    assertCanonical(target);
  }

  async list(): Promise<undefined> {
    return undefined;
  }
}
