/**
 * Where an address is, per an offline city database: coordinates and, when the record has
 * them, the city and country. Coordinates of a country-level record (no city) are the country's
 * centre with a radius of hundreds of kilometres, so `accuracyKm` travels with them.
 */
export interface AddressLocation {
  readonly latitude: number;
  readonly longitude: number;
  readonly city: string | undefined;
  /** ISO 3166-1 alpha-2 as the city database has it. */
  readonly country: string | undefined;
  /** The database's accuracy radius (MaxMind `location.accuracy_radius`), when it gives one. */
  readonly accuracyKm: number | undefined;
}

/** Whether city data is there, and what to tell the admin about it (/status, doctor). */
export interface CityDataState {
  readonly available: boolean;
  /** e.g. "2 files (GeoLite2-City, built 2026-06-01)" or "IP_CITY_DB is not set". */
  readonly detail: string;
}

export interface AddressLocationLookup {
  /** Never throws: undefined when there is no city data or the address is not in it. */
  lookup(ip: string): AddressLocation | undefined;
  state(): CityDataState;
}

/** No city database configured: impossible travel is off. */
export const noAddressLocations: AddressLocationLookup = {
  lookup: () => undefined,
  state: () => ({ available: false, detail: 'IP_CITY_DB is not set' }),
};
