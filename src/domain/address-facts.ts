/**
 * What the bot knows offline about a public address: its network (ASN number and name) and
 * country. The lookup itself (the shipped MMDB databases) is another part's; everything that
 * shows or ranks addresses depends only on this shape, and "unknown" is always an answer.
 */
export interface AddressFacts {
  readonly asn: number;
  readonly asName: string;
  /** ISO 3166-1 alpha-2, e.g. `NL`. */
  readonly country: string;
}

export interface AddressFactsLookup {
  /** Never throws and never blocks: undefined means "unknown". */
  lookup(ip: string): AddressFacts | undefined;
}

/** Until a database is wired in: every address is "unknown". */
export const unknownAddressFacts: AddressFactsLookup = { lookup: () => undefined };
