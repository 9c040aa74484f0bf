import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

describe('the SDK bundle', () => {
  it('builds for browsers and Node, and the Node bundle exports the client', async () => {
    await promisify(execFile)(process.execPath, ['client/build.mjs'], { cwd: root });
    const sdk = (await import(`${root}client/dist/gamev1-client.node.js`)) as Record<string, unknown>;
    expect(typeof sdk.GameV1Client).toBe('function');
    expect(typeof sdk.SnapshotInterpolator).toBe('function');
  });
});
