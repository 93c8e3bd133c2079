import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/adapters/sqlite/migrations/index.js';
import { checks } from '../../src/checks/index.js';
import { cliCommands } from '../../src/cli/index.js';
import { commands } from '../../src/commands/index.js';
import { LOG_DETECTOR_IDS, LOG_SOURCE_KINDS } from '../../src/config/logs.js';
import { events } from '../../src/events/index.js';
import { SUGGESTED_ACTIONS } from '../../src/logs/detect/suggested-actions.js';
import { detectors } from '../../src/logs/detectors/index.js';
import { parsers } from '../../src/logs/parsers/index.js';

const root = join(import.meta.dirname, '../../src');

function unitFiles(folder: string): string[] {
  return readdirSync(join(root, folder))
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'types.ts' && f !== 'main.ts')
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
}

describe.each([
  ['checks', () => checks.map((c) => c.id)],
  ['commands', () => commands.map((c) => c.name)],
  ['events', () => events.map((e) => e.id)],
  ['cli', () => cliCommands.map((c) => c.name)],
])('registry of src/%s', (folder, ids) => {
  it('registers every file exactly once, under its file name', () => {
    const registered = ids();
    expect(new Set(registered).size).toBe(registered.length);
    expect([...registered].sort()).toEqual(unitFiles(folder));
  });
});

describe('slash commands', () => {
  it('use their file name as the command name', () => {
    for (const command of commands) expect(command.data.name).toBe(command.name);
  });
});

describe('migrations', () => {
  it('are numbered 1..n in file order', () => {
    const files = readdirSync(join(root, 'adapters/sqlite/migrations'))
      .filter((f) => /^\d{3}-/.test(f))
      .sort();
    expect(migrations.map((m) => m.version)).toEqual(files.map((_, i) => i + 1));
    expect(files.map((f) => Number(f.slice(0, 3)))).toEqual(migrations.map((m) => m.version));
  });
});

/**
 * Log parsers and detectors share their folders with helpers (sliding windows, time parsing),
 * so a unit is recognized by what it exports: every exported parser or detector must be the one
 * registered under its file name.
 */
async function exportedUnits(
  folder: string,
  isUnit: (value: unknown) => boolean,
): Promise<[string, unknown][]> {
  const found: [string, unknown][] = [];
  for (const file of readdirSync(join(root, folder))) {
    if (!file.endsWith('.ts') || file === 'index.ts' || file === 'types.ts') continue;
    const module: Record<string, unknown> = await import(join(root, folder, file));
    for (const value of Object.values(module))
      if (isUnit(value)) found.push([file.replace(/\.ts$/, ''), value]);
  }
  return found.sort(([a], [b]) => a.localeCompare(b));
}

const hasCreate = (v: unknown): v is { id: unknown; create: unknown } =>
  typeof v === 'object' &&
  v !== null &&
  'id' in v &&
  typeof (v as { create?: unknown }).create === 'function';

describe.each([
  ['logs/parsers', parsers, (v: unknown) => hasCreate(v) && 'kinds' in v],
  ['logs/detectors', detectors, (v: unknown) => hasCreate(v) && !('kinds' in v)],
] as const)('registry of src/%s', (folder, registered, isUnit) => {
  it('registers every unit exactly once, under its file name', async () => {
    const ids = registered.map((u) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    const found = await exportedUnits(folder, isUnit);
    expect(found.length).toBeGreaterThan(0);
    for (const [file, unit] of found) {
      expect((unit as { id: unknown }).id, `${folder}/${file}.ts`).toBe(file);
      expect(registered as readonly unknown[], `${folder}/${file}.ts is not registered`).toContain(unit);
    }
    expect(found.map(([file]) => file)).toEqual([...ids].sort());
  });
});

describe('log config ids', () => {
  it('come from the registries: each source kind read by exactly one parser', () => {
    expect(LOG_SOURCE_KINDS).toEqual(parsers.flatMap((p) => p.kinds));
    expect(new Set(LOG_SOURCE_KINDS).size).toBe(LOG_SOURCE_KINDS.length);
    expect(LOG_DETECTOR_IDS).toEqual(detectors.map((d) => d.id));
  });

  it('give every detector a row in the action table', () => {
    expect(Object.keys(SUGGESTED_ACTIONS).sort()).toEqual([...LOG_DETECTOR_IDS].sort());
  });
});
