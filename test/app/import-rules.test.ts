import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layout's rules (README "Architecture"), checked on the import specifiers of every file
 * in src: static imports, re-exports, `import type` and dynamic `import()` alike.
 */
interface Source {
  /** Relative to the repository, e.g. `src/adapters/plex/plex-client.ts`. */
  readonly path: string;
  readonly text: string;
}

interface Rule {
  readonly name: string;
  readonly appliesTo: (path: string) => boolean;
  /** `target` is a repository path for relative imports, or a package name. */
  readonly forbids: (target: string) => boolean;
}

const inside =
  (...folders: string[]) =>
  (path: string) =>
    folders.some((f) => path === `${f}.ts` || path.startsWith(`${f}/`));
const isPackage = (target: string) => !target.startsWith('src/');
const discordJs = (target: string) => target === 'discord.js' || target.startsWith('@discordjs/');

const RULES: readonly Rule[] = [
  {
    name: 'adapters never import checks, commands or events',
    appliesTo: inside('src/adapters'),
    forbids: inside('src/checks', 'src/commands', 'src/events'),
  },
  {
    name: 'only src/cli and src/cli.ts import the composition root (src/app)',
    appliesTo: (path) => !inside('src/cli', 'src/app')(path),
    forbids: inside('src/app'),
  },
  {
    name: 'the kernel imports nothing of the app but the kernel',
    appliesTo: inside('src/kernel'),
    forbids: (target) => !isPackage(target) && !inside('src/kernel')(target),
  },
  {
    name: 'checks, detection and shared parts never talk to Discord (no discord.js)',
    appliesTo: inside(
      'src/checks',
      'src/exposure',
      'src/logs',
      'src/kernel',
      'src/config',
      'src/domain',
      'src/net',
      'src/report',
      'src/adapters/plex',
      'src/adapters/router',
      'src/adapters/firewall',
      'src/adapters/sqlite',
    ),
    forbids: discordJs,
  },
  {
    name: 'checks and the config never import commands, events, actions or alerts',
    appliesTo: inside('src/checks', 'src/config'),
    forbids: inside('src/commands', 'src/events', 'src/actions', 'src/alerts'),
  },
];

/** Where an import points: a repository path (`src/x/y.ts`) or the package name. */
function target(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) {
    const parts = specifier.split('/');
    return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
  }
  return posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

function violations(sources: readonly Source[], rules: readonly Rule[] = RULES): string[] {
  const found: string[] = [];
  for (const source of sources) {
    const imports = ts.preProcessFile(source.text, true, true).importedFiles;
    for (const { fileName } of imports) {
      const to = target(source.path, fileName);
      for (const rule of rules) {
        if (rule.appliesTo(source.path) && rule.forbids(to)) {
          found.push(`${source.path} imports '${fileName}': ${rule.name}`);
        }
      }
    }
  }
  return found;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

function sourcesIn(folder: string): Source[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(ROOT, folder, name))
    .map((file) => ({ path: relative(ROOT, file).split('\\').join('/'), text: readFileSync(file, 'utf8') }));
}

describe('import rules of the layout', () => {
  const sources = sourcesIn('src');

  it('reads every file in src', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.some((s) => s.path === 'src/cli.ts')).toBe(true);
  });

  it('holds for every file in src', () => {
    expect(violations(sources)).toEqual([]);
  });

  it('fails for each kind of break, type-only and dynamic imports included', () => {
    const broken: Source[] = [
      { path: 'src/adapters/plex/x.ts', text: "import type { Check } from '../../checks/types.js';" },
      { path: 'src/adapters/sqlite/x.ts', text: "export { y } from '../../events/index.js';" },
      { path: 'src/logs/x.ts', text: "const m = await import('../app/bot.js');" },
      { path: 'src/kernel/x.ts', text: "import type { Config } from '../config/index.js';" },
      { path: 'src/checks/x.ts', text: "import { Routes } from 'discord.js';" },
      { path: 'src/config/x.ts', text: "import { AlertOutbox } from '../alerts/alert-outbox.js';" },
    ];
    expect(violations(broken).map((v) => v.split(' imports ')[0])).toEqual(broken.map((s) => s.path));
    const allowed: Source[] = [
      { path: 'src/cli/x.ts', text: "import { createAppContext } from '../app/app-context.js';" },
      { path: 'src/cli.ts', text: "import { main } from './cli/main.js';" },
      { path: 'src/app/x.ts', text: "import { commands } from '../commands/index.js';" },
      { path: 'src/kernel/x.ts', text: "import winston from 'winston';\nimport { y } from './clock.js';" },
      { path: 'src/adapters/discord/x.ts', text: "import { REST } from 'discord.js';" },
    ];
    expect(violations(allowed)).toEqual([]);
  });
});
