#!/usr/bin/env node
// src/kernel/web-globals.ts is imported first by what loads undici or discord.js, not here: it
// refers to the bundled undici, whose text `--help` and `replay` need not parse. It sets the
// WebAssembly flag too (kernel/wasm-baseline.ts): node:v8 is not loaded for them either.
import { main } from './cli/main.js';
import { EXIT } from './cli/types.js';

main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
    // Let pending log writes drain, then leave even if a library keeps a handle open.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (error: unknown) => {
    console.error(error);
    process.exit(EXIT.failure);
  },
);
