import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

// Static imports and re-exports start a line (so examples in comments do not count); dynamic ones may be anywhere.
const STATIC_IMPORT = /^[ \t]*(?:import|export)\s+(?:type\s+)?[\w$\s,{}*]*?\bfrom\s*(['"])(.+?)\1/gm;
const SIDE_EFFECT_IMPORT = /^[ \t]*import\s*(['"])(.+?)\1/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*(['"])(.+?)\1\s*\)/g;

/** Every module specifier a TypeScript source imports or re-exports, type-only ones included (they leak shapes too). */
function specifiersIn(source: string): string[] {
  return [STATIC_IMPORT, SIDE_EFFECT_IMPORT, DYNAMIC_IMPORT].flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[2]!));
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file));
}

interface Import {
  /** The importing file, relative to the repository root. */
  file: string;
  specifier: string;
  /** For relative specifiers: the imported file, relative to the repository root, as its .ts source. */
  target?: string;
}

function importsOf(file: string): Import[] {
  return specifiersIn(readFileSync(join(root, file), 'utf8')).map((specifier) =>
    specifier.startsWith('.')
      ? { file, specifier, target: relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '.ts') }
      : { file, specifier },
  );
}

/** The imports of the files under `dirs` that `allowed` refuses, as readable lines. */
function refusedImports(dirs: string[], allowed: (entry: Import) => boolean): string[] {
  return dirs
    .flatMap(sourcesUnder)
    .flatMap(importsOf)
    .filter((entry) => !allowed(entry))
    .map(({ file, specifier }) => `${file} imports ${specifier}`);
}

const inside = (dir: string) => (target: string | undefined) => target !== undefined && target.startsWith(`${dir}/`);
const isPackage = (entry: Import, ...names: string[]) =>
  entry.target === undefined && names.some((name) => entry.specifier === name || entry.specifier.startsWith(`${name}/`));
const isNodeBuiltin = (entry: Import) => entry.target === undefined && isBuiltin(entry.specifier);

describe('the import scanner', () => {
  it('finds static, type-only, re-exported and dynamic imports, but not examples in comments', () => {
    const source = [
      "import type {\n  A,\n  B as C,\n} from './a.js';",
      "import * as D from \"d\";",
      "export { E } from './e.js';",
      "import './side-effect.js';",
      '/** e.g. `import { WebSocket } from \'ws\'` */',
      "// import nothing from 'commented-out';",
      "const lazy = await import('./lazy.js');",
    ].join('\n');
    expect(specifiersIn(source).sort()).toEqual(['./a.js', './e.js', './lazy.js', './side-effect.js', 'd']);
  });
});

describe('browser-safe modules', () => {
  it('the SDK reaches into the server only through src/api and src/protocol', () => {
    const sdkFiles = sourcesUnder('client/src');
    expect(sdkFiles.length).toBeGreaterThan(0);
    const refused = refusedImports(['client/src'], (entry) => {
      if (entry.target === undefined) return !isNodeBuiltin(entry);
      return [inside('client/src'), inside('src/api'), inside('src/protocol')].some((within) => within(entry.target));
    });
    expect(refused).toEqual([]);
  });

  it('src/api imports nothing but itself and typebox', () => {
    const refused = refusedImports(['src/api'], (entry) => inside('src/api')(entry.target) || isPackage(entry, 'typebox'));
    expect(refused).toEqual([]);
  });

  it('src/protocol imports only itself, src/api, the sim wire types, typebox and msgpackr', () => {
    const refused = refusedImports(['src/protocol'], (entry) =>
      inside('src/protocol')(entry.target) ||
      inside('src/api')(entry.target) ||
      entry.target === 'src/sim/types.ts' ||
      isPackage(entry, 'typebox', 'msgpackr'),
    );
    expect(refused).toEqual([]);
  });

  it('the sim wire types the protocol shares import nothing', () => {
    expect(importsOf('src/sim/types.ts')).toEqual([]);
  });
});
