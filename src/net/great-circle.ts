/**
 * Distance over the earth's surface between two points, by the haversine formula (R. W. Sinnott,
 * "Virtues of the Haversine", Sky and Telescope 68(2):159, 1984) on a sphere of the mean earth
 * radius, 6,371.0088 km (IUGG mean radius R1 of GRS 80: H. Moritz, "Geodetic Reference System
 * 1980", Journal of Geodesy 74:128-133, 2000). Off by at most ~0.5 % against the ellipsoid: far
 * below what a city database's own accuracy radius already is.
 */
export const EARTH_MEAN_RADIUS_KM = 6_371.0088;

export interface Point {
  readonly latitude: number;
  readonly longitude: number;
}

const rad = (deg: number) => (deg * Math.PI) / 180;

export function greatCircleKm(a: Point, b: Point): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_MEAN_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
