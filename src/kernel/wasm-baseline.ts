import { setFlagsFromString } from 'node:v8';

/**
 * WebAssembly stays in V8's baseline compiler (Liftoff). The bot's only WebAssembly is undici's
 * llhttp, whose parser is one large state machine: tiering it up to TurboFan took ~35 MB of
 * compiler memory for a moment (measured: V8's peak_malloced_memory 39 MB against 5 MB), and
 * glibc kept most of it, for a parser that reads a few small HTTP responses a minute. Liftoff
 * code runs those just as fast (https://v8.dev/blog/liftoff). Set before anything compiles
 * WebAssembly; imported first by web-globals.ts, which comes before undici wherever it loads.
 */
setFlagsFromString('--liftoff-only');
