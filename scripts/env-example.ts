// Regenerates .env.example from the settings table: `npm run env:example`.
import { writeFileSync } from 'node:fs';
import { envExample } from '../src/config/index.js';

writeFileSync(new URL('../.env.example', import.meta.url), envExample());
