/** Who told the bot the household's public address. */
export const PUBLIC_ADDRESS_SOURCES = ['plex', 'router', 'nat-pmp'] as const;
export type PublicAddressSource = (typeof PUBLIC_ADDRESS_SOURCES)[number];

export interface LearnedPublicAddress {
  readonly source: PublicAddressSource;
  /** Canonical text. */
  readonly ip: string;
  readonly learnedAt: number;
}

export function isPublicAddressSource(value: string): value is PublicAddressSource {
  return (PUBLIC_ADDRESS_SOURCES as readonly string[]).includes(value);
}
