import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Check } from '../../src/checks/types.js';
import { type PrefValue, prefBool, prefInt, readPrefs } from '../../src/exposure/plex-prefs.js';
import { ExposureLab } from '../harness/exposure-lab.js';

describe('readPrefs', () => {
  let lab: ExposureLab;
  beforeEach(async () => {
    lab = await new ExposureLab().start();
  });
  afterEach(() => lab.stop());

  const capture = async () => {
    let prefs: ReadonlyMap<string, PrefValue> | undefined;
    let second: ReadonlyMap<string, PrefValue> | undefined;
    const check: Check = {
      id: 'capture',
      title: 'capture',
      async run(ctx) {
        prefs = await readPrefs(ctx);
        second = await readPrefs(ctx);
        return [];
      },
    };
    await lab.scan([check]);
    return { prefs, second };
  };

  it('parses bool settings from true/false and 1/0, keeps enums as numbers, once per scan', async () => {
    lab.plex.setPref('RelayEnabled', '1');
    lab.plex.setPref('GdmEnabled', 'false');
    lab.plex.setPref('secureConnections', '2');
    const { prefs, second } = await capture();
    expect(second).toBe(prefs);
    expect(lab.plex.requests.filter((r) => r.path === '/:/prefs')).toHaveLength(1);
    if (!prefs) throw new Error('no prefs');
    expect(prefs.get('RelayEnabled')).toBe(true);
    expect(prefs.get('GdmEnabled')).toBe(false);
    expect(prefBool(prefs, 'DlnaEnabled')).toBe(false);
    expect(prefInt(prefs, 'secureConnections')).toBe(2);
    expect(prefInt(prefs, 'allowedNetworks')).toBeUndefined();
  });

  it('drops secret settings so no check can show them', async () => {
    lab.plex.setPref('customCertificateKey', 'hunter2-passphrase');
    const { prefs } = await capture();
    expect(prefs?.has('PlexOnlineToken')).toBe(false);
    expect(prefs?.has('customCertificateKey')).toBe(false);
    expect(JSON.stringify([...(prefs ?? new Map())])).not.toMatch(/secret-plex-online-token|hunter2/);
  });
});
