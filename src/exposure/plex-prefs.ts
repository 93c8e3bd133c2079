import { parseBool } from '../adapters/plex/plex-client.js';
import { PrefsSchema, parsePlex } from '../adapters/plex/plex-schemas.js';
import type { CheckContext } from '../checks/types.js';

export type PrefValue = string | number | boolean;

/** Preferences whose values are secrets: dropped on read so no check can put them in evidence. */
export const SECRET_PREFS: ReadonlySet<string> = new Set(['PlexOnlineToken', 'customCertificateKey']);

/**
 * `GET /:/prefs` once per scan, as a Map id → value. Booleans arrive as true/false or 1/0 depending
 * on the version: settings of type `bool` are parsed to booleans; others keep their raw value.
 */
export function readPrefs(ctx: CheckContext): Promise<ReadonlyMap<string, PrefValue>> {
  return ctx.shared.once('plex:prefs', async () => {
    const { Setting: settings } = parsePlex(
      PrefsSchema,
      await ctx.plex.get('/:/prefs', { signal: ctx.signal }),
      'GET /:/prefs',
    );
    const prefs = new Map<string, PrefValue>();
    for (const setting of settings) {
      if (typeof setting.id !== 'string' || SECRET_PREFS.has(setting.id)) continue;
      const { value } = setting;
      if (setting.type === 'bool') {
        const parsed = parseBool(value);
        if (parsed !== undefined) prefs.set(setting.id, parsed);
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        prefs.set(setting.id, value);
      }
    }
    return prefs;
  });
}

/** A boolean pref, accepting true/false/1/0 even when the type field was missing. */
export function prefBool(prefs: ReadonlyMap<string, PrefValue>, id: string): boolean | undefined {
  return parseBool(prefs.get(id));
}

/** An integer pref (enums such as secureConnections arrive as numbers or numeric strings). */
export function prefInt(prefs: ReadonlyMap<string, PrefValue>, id: string): number | undefined {
  const value = prefs.get(id);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

export function prefText(prefs: ReadonlyMap<string, PrefValue>, id: string): string | undefined {
  const value = prefs.get(id);
  return value === undefined ? undefined : String(value);
}

/** How a boolean is shown in evidence: the way Plex writes it in the setting. */
export function showBool(value: boolean | undefined): string {
  return value === undefined ? 'absent' : value ? '1' : '0';
}
