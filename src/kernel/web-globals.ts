// First: the flag must be set before undici's llhttp is compiled (its comment says why).
import './wasm-baseline.js';
import { createRequire } from 'node:module';

/**
 * The fetch globals from our undici 7 instead of Node's bundled copy. Node 20 defines FormData,
 * Headers, Request, Response and MessageEvent as getters that load its own undici 6 on first read
 * (lib/internal/bootstrap/web/exposed-window-or-worker.js, https://github.com/nodejs/node), and
 * that copy compiles its llhttp WebAssembly as it loads (undici 6 lib/dispatcher/client-h1.js,
 * `llhttpPromise = lazyllhttp()`, https://github.com/nodejs/undici). undici 7 reads
 * `globalThis.Headers` while it loads (lib/web/cookies/index.js) and @discordjs/rest reads
 * `globalThis.FormData`, so the bot carried a second HTTP stack it never sent a request with:
 * ~12 MB of RSS. And with one undici for all (package.json overrides), @discordjs/rest's
 * multipart bodies must be undici 7's FormData: it sends only its own (brand check in
 * lib/web/fetch/body.js). Imported first by every module that imports undici and by the
 * Discord client (before discord.js), not by the entry point, so `--help` and `replay` do not
 * parse undici's bundled text: each global becomes a getter for undici 7's export, read once
 * and then kept as a plain value (assigning one works as before).
 */

/**
 * undici, loaded on the first read of a global. In the bundle (scripts/build.ts) esbuild turns
 * this `require` call into its bundled copy, the one discord.js and src/ import: one undici, and
 * only the minified text of it held by V8 (https://esbuild.github.io/api/#bundle: require() of a
 * bundled module). Run from source (tsx, vitest), an ES module has no `require`: createRequire
 * finds the same node_modules copy as `import`.
 */
const loadUndici = (): Record<string, unknown> =>
  typeof require === 'function' ? require('undici') : createRequire(import.meta.url)('undici');
const NAMES = ['fetch', 'FormData', 'Headers', 'Request', 'Response', 'MessageEvent'] as const;

for (const name of NAMES) {
  const enumerable = Object.getOwnPropertyDescriptor(globalThis, name)?.enumerable ?? false;
  const define = (value: unknown) =>
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable });
  Object.defineProperty(globalThis, name, {
    configurable: true,
    enumerable,
    get() {
      // While undici itself loads, require() hands back its exports so far: an export not
      // assigned yet reads undefined and is asked for again next time.
      const value = loadUndici()[name];
      if (value !== undefined) define(value);
      return value;
    },
    set: define,
  });
}
