import type { InternetDbResult } from '../adapters/internetdb/internetdb-client.js';
import type { CheckContext } from '../checks/types.js';

/** Looks an address up once per scan; public-footprint and exposed-services share the answer. */
export function lookupInternetDb(ctx: CheckContext, ip: string): Promise<InternetDbResult> {
  return ctx.shared.once(`internetdb:${ip}`, () => ctx.internetDb.lookup(ip, ctx.signal));
}
