/**
 * A non-negative integer as `1,234,567`, what toLocaleString('en-US') writes for one, without
 * Intl: the first Intl number format maps ICU's locale data from Node's binary (~6 MB of RSS,
 * and some 15 ms of a replay's start).
 */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}
