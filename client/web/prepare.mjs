// `npm ci` / `npm install` run this: builds the browser game so `npm start` serves it with no extra step.
// An install without dev dependencies or without the page sources (a production image) has nothing to build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const here = new URL('.', import.meta.url);
let hasVite = true;
try {
  createRequire(import.meta.url).resolve('vite');
} catch {
  hasVite = false;
}
if (!hasVite || !existsSync(new URL('index.html', here))) {
  console.log('gamev1: web page not built (no vite or no client/web sources); run `npm run build:web` where they are');
} else {
  const result = spawnSync('npm', ['run', 'build:web'], { stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(result.status ?? 1);
}
