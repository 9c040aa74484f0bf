/**
 * A PostgreSQL server of the test's own, for tests that stop, restart or crash the database under a running
 * GameV1 server (the shared PostgreSQL of the run must never be touched that way).
 *
 * It uses the PostgreSQL binaries already on the machine (the Debian `postgresql` package: the newest
 * /usr/lib/postgresql/<version>/bin, or `initdb` and `postgres` on PATH). As root it runs as the `postgres` OS
 * user, since initdb and postgres refuse to run as root; otherwise as the current user.
 *
 * Callers always put `destroy()` in afterAll:
 *
 *     let own: OwnPostgres;
 *     beforeAll(async () => { own = await startOwnPostgres(); });
 *     afterAll(() => own?.destroy());
 *
 * Should a test process end without destroy() (a crash, a killed worker), a small watchdog started with the
 * server stops it and removes its directory once the process is gone.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** How long a start or a stop may take before it counts as failed. */
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface OwnPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth: no password). */
  readonly url: string;
  readonly port: number;
  /** True from a successful start() until stop(), kill() or destroy(). */
  readonly running: boolean;
  /** Fast shutdown (SIGINT); resolves once the server is gone and connections are refused. */
  stop(): Promise<void>;
  /** Starts the server again on the same data and port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGKILL of the postmaster, as a crash would; resolves once it is gone and connections are refused. */
  kill(): Promise<void>;
  /** Stops the server if it runs and removes its directory. Safe to call twice. */
  destroy(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** Where initdb and postgres are: the newest /usr/lib/postgresql/<version>/bin, else PATH. */
function findBinDir(): string {
  const has = (dir: string) => ['initdb', 'postgres'].every((name) => isExecutable(join(dir, name)));
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+(\.\d+)?$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const dir = join(debian, version, 'bin');
    if (has(dir)) return dir;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && has(dir)) return dir;
  }
  throw new Error(
    `startOwnPostgres: the PostgreSQL server binaries (initdb, postgres) are missing: not in ${debian}/<version>/bin ` +
      `(found: ${versions.length > 0 ? versions.join(', ') : 'no versions'}) nor on PATH. Install the Debian postgresql package.`,
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** As root: the `postgres` OS user to run as. Otherwise undefined (the current user runs it). */
function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
  } catch {
    // Reported below.
  }
  throw new Error(
    'startOwnPostgres: running as root, and PostgreSQL refuses to run as root, but there is no "postgres" OS user to run it as. ' +
      'Install the Debian postgresql package (it creates that user) or run the tests as a non-root user.',
  );
}

/** A port that was free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function untilRefused(port: number): Promise<void> {
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (await accepts(port)) {
    if (Date.now() > deadline) throw new Error(`own PostgreSQL: 127.0.0.1:${port} still accepts connections after the server stopped`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Watches this process: once it is gone, stops the server (SIGQUIT, then SIGKILL) and removes its directory.
 * Only a process whose name is `postgres` is signalled, so a recycled pid is never hit.
 */
const WATCHDOG = `
parent=$1; dir=$2; pidfile=$2/data/postmaster.pid
while kill -0 "$parent" 2>/dev/null; do sleep 1; done
if [ -f "$pidfile" ]; then
  pid=$(head -n 1 "$pidfile")
  if [ -n "$pid" ] && [ "$(cat /proc/$pid/comm 2>/dev/null)" = postgres ]; then
    kill -QUIT "$pid" 2>/dev/null
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.5; i=$((i+1)); done
    kill -KILL "$pid" 2>/dev/null
  fi
fi
sleep 1
rm -rf "$dir"
`;

/** Servers of this process still running, signalled when the process exits without destroy(). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    // Immediate shutdown; the watchdog removes the directories.
    for (const child of live) child.kill('SIGQUIT');
  });
}

/** initdb (trust auth, no fsync) in a fresh temp directory, then the server on a free loopback port. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = findBinDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'gamev1-pg-'));
  const dataDir = join(dir, 'data');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' };
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  if (user) chownSync(dir, user.uid, user.gid);

  const watchdog = spawn('sh', ['-c', WATCHDOG, 'gamev1-pg-watchdog', String(process.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  installExitHook();

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let port = 0;
  let destroyed = false;

  const removeDir = () => {
    watchdog.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };

  /** One attempt at starting the postmaster; rejects with the tail of its log when it exits first. */
  const launch = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const args = [
        '-D', dataDir,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', `unix_socket_directories=${dir}`,
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'shared_buffers=16MB',
        '-c', 'max_connections=40',
        '-c', 'autovacuum=off',
        '-c', 'jit=off',
        '-c', 'logging_collector=off',
      ];
      const proc = spawn(join(bin, 'postgres'), args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], ...as });
      const log: string[] = [];
      let ready = false;
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`own PostgreSQL did not get ready within ${START_TIMEOUT_MS} ms:\n${log.slice(-20).join('\n')}`));
      }, START_TIMEOUT_MS);
      const done = new Promise<void>((resolveExit) => {
        proc.once('exit', (code, signal) => {
          live.delete(proc);
          if (child === proc) child = undefined;
          clearTimeout(timer);
          if (!ready) reject(Object.assign(new Error(`own PostgreSQL exited (${signal ?? code}) while starting:\n${log.slice(-20).join('\n')}`), { log: log.join('\n') }));
          resolveExit();
        });
      });
      proc.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`own PostgreSQL could not be started (${join(bin, 'postgres')}): ${error.message}`));
      });
      let buffered = '';
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          log.push(line);
          if (log.length > 200) log.shift();
          if (!ready && line.includes('database system is ready to accept connections')) {
            ready = true;
            clearTimeout(timer);
            child = proc;
            exited = done;
            live.add(proc);
            resolve();
          }
        }
      });
      // Neither the server nor its log keeps the test process alive; destroy() or the watchdog ends it.
      proc.unref();
      (proc.stderr as unknown as { unref?: () => void }).unref?.();
    });

  /** Starts the server; after a crash, waits out the old server's last processes still holding its memory. */
  const startServer = async (pickPort: boolean): Promise<void> => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      if (pickPort) port = await freePort();
      try {
        await launch();
        return;
      } catch (error) {
        const log = String((error as { log?: string }).log ?? '');
        const portTaken = pickPort && /could not bind|Address already in use/.test(log);
        const oldProcesses = /pre-existing shared memory block|lock file .* already exists/.test(log);
        if (!(portTaken || oldProcesses) || Date.now() > deadline || attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  /** Signals the postmaster and resolves once it has exited and its port refuses connections. */
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc) return;
    child = undefined;
    proc.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS);
    });
    if ((await Promise.race([exited, late])) === 'late') {
      proc.kill('SIGKILL');
      await exited;
    }
    clearTimeout(timer);
    await untilRefused(port);
  };

  try {
    await execFileAsync(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      { cwd: dir, env, ...as },
    ).catch((error: Error & { stderr?: string }) => {
      throw new Error(`own PostgreSQL: initdb failed: ${error.stderr || error.message}`);
    });
    await startServer(true);
  } catch (error) {
    removeDir();
    throw error;
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    get running() {
      return child !== undefined;
    },
    async stop() {
      await halt('SIGINT');
    },
    async start() {
      if (destroyed) throw new Error('own PostgreSQL was destroyed');
      if (child) return;
      await startServer(false);
    },
    async kill() {
      await halt('SIGKILL');
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        await halt('SIGINT');
      } finally {
        removeDir();
      }
    },
  };
}
