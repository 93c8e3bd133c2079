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
 * - packages whose data files src/ finds with require.resolve: @ip-location-db/*, @expo-google-fonts/*;
 * - packages src/ loads with createRequire (src/kernel/web-globals.ts, src/net/ip.ts,
 *   src/config/key.ts): bundled as well, they would load twice. undici above all: @discordjs/rest's
 *   FormData must be the one web-globals installs (undici's brand check, lib/web/fetch/body.js).
 */
export const EXTERNAL = [
  'better-sqlite3',
  '@resvg/resvg-js',
  '@ip-location-db/*',
  '@expo-google-fonts/*',
  'undici',
  'ipaddr.js',
  'cron-parser',
] as const;

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });
const outdir = resolve(values.outdir);
// Chunk names carry a content hash: old ones would pile up.
rmSync(outdir, { recursive: true, force: true });

await build({
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
});
