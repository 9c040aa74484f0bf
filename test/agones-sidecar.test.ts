import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGONES_CONNECT_TIMEOUT_MS } from '../src/agones/index.js';
import { GameServer } from '../src/server/index.js';
import { freePort } from './support/process.js';
import { dropIsolation, testConfig } from './support/server.js';

let previousPort: string | undefined;
let sidecarPort: number;
beforeEach(async () => {
  previousPort = process.env.AGONES_SDK_GRPC_PORT;
  sidecarPort = await freePort(); // nothing listens there: a missing sidecar
  // The SDK reads its port from the process environment, not from GameV1's settings.
  process.env.AGONES_SDK_GRPC_PORT = String(sidecarPort);
});
afterEach(() => {
  if (previousPort === undefined) delete process.env.AGONES_SDK_GRPC_PORT;
  else process.env.AGONES_SDK_GRPC_PORT = previousPort;
});

describe('AGONES=true without a sidecar', () => {
  it('starts within the connect timeout, logs the failure, serves and closes cleanly', async () => {
    const errors: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push((JSON.parse(line) as { msg: string }).msg) });
    const config = testConfig({ AGONES: 'true' });
    expect(config.server.agones).toBe(true);
    const startedAt = Date.now();
    const server = await GameServer.start(config, logger);
    try {
      const startup = Date.now() - startedAt;
      expect(startup).toBeGreaterThanOrEqual(AGONES_CONNECT_TIMEOUT_MS - 50);
      expect(startup).toBeLessThan(AGONES_CONNECT_TIMEOUT_MS + 10_000);
      expect(errors).toContainEqual(expect.stringContaining('agones: the SDK sidecar did not answer'));
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await server.close();
      await dropIsolation(config);
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('leaves no handle behind: a process that gave up on the sidecar exits on its own at once', async () => {
    // The SDK's own connect() would hold the process for 30 s after close; SidecarSdk must not.
    const tsx = pathToFileURL(join(import.meta.dirname, '../node_modules/tsx/dist/loader.mjs')).href;
    const sdkModule = pathToFileURL(join(import.meta.dirname, '../src/agones/index.ts')).href;
    const script = `
      const { SidecarSdk } = await import(${JSON.stringify(sdkModule)});
      const sdk = new SidecarSdk();
      const started = Date.now();
      await sdk.connect(300).then(() => console.log('connected'), (error) => console.log('failed after', Date.now() - started, error.message));
      sdk.close();`;
    const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', AGONES_SDK_GRPC_PORT: String(sidecarPort) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const startedAt = Date.now();
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output).toMatch(/^failed after \d+ Failed to connect before the deadline/);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });
});
