import { addressesIn } from '../../net/address-tokens.js';

/**
 * The addresses a finding is about: those its title names (every address detector names the
 * address there, src/logs/detectors) and the one its suggested action targets. Not the evidence:
 * it quotes what clients sent (user names, paths), which must not tie a finding to an address.
 */
export function findingAddresses(title: string, actionJson: string | null): string[] {
  const texts = [title];
  if (actionJson !== null) {
    try {
      const action = JSON.parse(actionJson) as { ip?: unknown; address?: unknown };
      for (const value of [action.ip, action.address]) if (typeof value === 'string') texts.push(value);
    } catch {
      // An unreadable action is reported where it is read (stored-json.ts); its title still counts.
    }
  }
  return addressesIn(...texts);
}
