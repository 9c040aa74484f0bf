// Bundles the SDK: a minified browser ESM build and a Node ESM build (which keeps npm packages external).
// Usage: node client/build.mjs
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, 'src', 'index.ts');
const outdir = join(here, 'dist');

const common = {
  entryPoints: [entry],
  bundle: true,
  format: 'esm',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};

const targets = [
  { ...common, outfile: join(outdir, 'gamev1-client.js'), platform: 'browser', target: 'es2020', minify: true },
  // Node resolves msgpackr's native-accelerated build itself, so npm packages stay imports here.
  { ...common, outfile: join(outdir, 'gamev1-client.node.js'), platform: 'node', target: 'node20', packages: 'external' },
];

for (const options of targets) {
  await build(options);
  const size = statSync(options.outfile).size;
  console.log(`${relative(process.cwd(), options.outfile)}  ${(size / 1024).toFixed(1)} KiB`);
}
