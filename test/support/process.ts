import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const root = new URL('../..', import.meta.url).pathname;

/** Runs `src/main.ts` the way `npm start` does, as its own process, in a directory without a .env. */
export function startProcess(env: Record<string, string>, args: string[] = []): ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream } {
  const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
  return spawn(process.execPath, ['--import', tsx, join(root, 'src/main.ts'), ...args], {
    cwd: mkdtempSync(join(tmpdir(), 'gamev1-proc-')),
    // CI runs the suite once per transport.
    env: { PATH: process.env.PATH ?? '', ...(process.env.WS_TRANSPORT ? { WS_TRANSPORT: process.env.WS_TRANSPORT } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
}

/** Reads the process's log until it says where it listens; returns that URL and the lines seen. */
export async function listeningUrl(child: ChildProcess & { stdout: NodeJS.ReadableStream }): Promise<{ url: string; lines: string[] }> {
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout });
  for await (const line of reader) {
    lines.push(line);
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
    if (match) {
      reader.close();
      // Keep draining the log so a chatty child never blocks on a full pipe.
      child.stdout.resume();
      return { url: match[1]!, lines };
    }
  }
  return { url: '', lines };
}

/** A loopback port that was free a moment ago (nothing listens on it once this resolves). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
