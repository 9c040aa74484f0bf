import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** Two pages, one build: the game at / and the operator console at /console (served by the gateway from dist/). */
export default defineConfig({
  root: page('.'),
  base: '/',
  publicDir: false,
  build: {
    outDir: page('dist'),
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    rolldownOptions: { input: { index: page('index.html'), console: page('console.html') } },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/auth': 'http://127.0.0.1:3000', '/ws': { target: 'ws://127.0.0.1:3000', ws: true } } },
});
