// Writes .env.example from the configuration table (src/config/keys/).
// test/config/env-example.test.ts fails when the two differ; run `npm run env-example` then.
import { writeFileSync } from 'node:fs';
import { renderEnvExample } from '../src/config/env-example.js';

writeFileSync(new URL('../.env.example', import.meta.url), renderEnvExample());
