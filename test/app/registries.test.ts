import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/adapters/sqlite/migrations/index.js';
import { checks } from '../../src/checks/index.js';
import { cliCommands } from '../../src/cli/index.js';
import { commands } from '../../src/commands/index.js';
import { events } from '../../src/events/index.js';

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
