import { CidrSet, parseIp } from '../net/ip.js';

export const ADDR_INVALID = 0;
/** Not in the LAN, not loopback, not allow-listed: the only addresses detectors look at. */
export const ADDR_OUTSIDE = 1;
export const ADDR_LOCAL = 2;
export const ADDR_ALLOWED = 3;

export interface AddressInfo {
  /** Canonical text (IPv4-mapped unwrapped, IPv6 compressed). */
  readonly ip: string;
  readonly kind: number;
}

const INVALID: AddressInfo = { ip: '', kind: ADDR_INVALID };

export interface AddressBookOptions {
  readonly lanCidrs: readonly string[];
  readonly allowlist: readonly string[];
  /** The house's own public address: hairpinned household traffic, never an attacker. */
  readonly publicIp?: string | undefined;
  /** Allow-list kept elsewhere (the database's /allow entries). */
  readonly isAllowed?: ((ip: string) => boolean) | undefined;
  readonly cacheSize: number;
}

/**
 * Classifies addresses as written in logs. Parsing an address is the expensive part, so the
 * answer is cached by the raw text (cleared wholesale when the cache is full: bounded memory).
 */
export class AddressBook {
  private readonly lan: CidrSet;
  private readonly allow: CidrSet;
  private readonly cache = new Map<string, AddressInfo>();

  constructor(private readonly options: AddressBookOptions) {
    this.lan = CidrSet.parse(options.lanCidrs);
    this.allow = CidrSet.parse(options.allowlist);
  }

  lookup(raw: string): AddressInfo {
    const hit = this.cache.get(raw);
    if (hit !== undefined) return hit;
    const info = this.classify(raw);
    if (this.cache.size >= this.options.cacheSize) this.cache.clear();
    this.cache.set(raw, info);
    return info;
  }

  private classify(raw: string): AddressInfo {
    if (raw.length === 0 || raw.length > 45) return INVALID;
    const parsed = parseIp(raw);
    if (!parsed) return INVALID;
    const ip = parsed.toString();
    if (this.allow.contains(parsed) || this.options.isAllowed?.(ip)) return { ip, kind: ADDR_ALLOWED };
    const range = parsed.range();
    if (
      range === 'loopback' ||
      range === 'unspecified' ||
      this.lan.contains(parsed) ||
      ip === this.options.publicIp
    ) {
      return { ip, kind: ADDR_LOCAL };
    }
    return { ip, kind: ADDR_OUTSIDE };
  }
}
