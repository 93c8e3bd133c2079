// The production build: src/cli.ts bundled by esbuild into dist/ (ESM, one file per lazily
// imported chunk). `tsc` stays the type check (npm run typecheck); esbuild only strips types
// (https://esbuild.github.io/content-types/#typescript-caveats).
//
//   node --import tsx scripts/build.ts [--outdir DIR]     (default dist/; npm run build, prepare)
//
// Why a bundle: ~100 small ESM files of ours cost start-up time each, and the bot's V8 heap holds
// the source text of every module it loads (discord.js and its dependencies, with their comments:
// several MB). Bundled and minified, the bot is ~9 MB smaller right after ready (bench soak) and
// `--help`/`replay` start faster (bench startup).
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

/**
 * Left in node_modules, loaded at run time:
 * - native addons: better-sqlite3 (finds its .node file by path), @resvg/resvg-js;
 * - packages whose data files src/ finds with require.resolve: @ip-location-db/*, @expo-google-fonts/*.
 * undici, ipaddr.js and cron-parser are bundled, minified, though src/ loads them lazily with
 * require() (src/kernel/web-globals.ts, src/net/ip.ts, src/config/key.ts): esbuild bundles a
 * require() of a package like an import, so discord.js, node-schedule and src/ share one copy.
 */
export const EXTERNAL = [
  'better-sqlite3',
  '@resvg/resvg-js',
  '@ip-location-db/*',
  '@expo-google-fonts/*',
] as const;

/**
 * Packages that must be in the bundle once: @discordjs/rest sends only the FormData of the undici
 * that web-globals installs (undici's brand check, lib/web/fetch/body.js), and a second copy of
 * any of them would be held by V8 twice.
 */
const ONCE = ['undici', 'ipaddr.js', 'cron-parser', 'luxon'] as const;

/** The package roots (…/node_modules/<name>/) the bundle took files of `name` from. */
function copiesOf(name: string, inputs: readonly string[]): string[] {
  const marker = `node_modules/${name}/`;
  const roots = inputs.flatMap((path) => {
    const at = path.lastIndexOf(marker);
    return at < 0 ? [] : [path.slice(0, at + marker.length)];
  });
  return [...new Set(roots)];
}

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = resolve(values.outdir);
// Chunk names carry a content hash: old ones would pile up.
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  entryPoints: ['src/cli.ts'],
  outdir,
  bundle: true,
  // Each `await import()` stays a chunk of its own: discord.js loads only for `bot`.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [...EXTERNAL],
  // Minified: the source text V8 keeps is the memory saved. Names kept for stack traces and
  // `error.name`/`constructor.name` checks (https://esbuild.github.io/api/#keep-names).
  minify: true,
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  // Bundled CommonJS (discord.js, winston) calls require() for Node's modules; ESM has none.
  banner: {
    js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
  },
  // A worker-sharded discord.js would look for defaultWorker.js beside the bundle (__dirname):
  // the bot uses the default single-process sharding, which never does.
  logLevel: 'warning',
  metafile: true,
});

const inputs = Object.keys(result.metafile.inputs);
for (const name of ONCE) {
  const copies = copiesOf(name, inputs);
  if (copies.length !== 1)
    throw new Error(`${name}: the bundle holds ${copies.length} copies, one expected: ${copies.join(', ')}`);
}
