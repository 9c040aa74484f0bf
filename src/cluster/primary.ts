import cluster, { type Worker } from 'node:cluster';
import net from 'node:net';
import type { Logger } from 'pino';
import { urlOf, type HostPort } from '../config/index.js';
import { WorkerLink } from './link.js';
import { isClusterMessage, type ControlMessage, type Envelope } from './messages.js';

const RESTART_DELAY_MS = 1_000;
/**
 * Connections accepted but not yet taken by a worker (each handover waits for the worker's event loop).
 * Beyond this the primary turns new connections away at once, so a reconnect storm that outruns the
 * workers cannot exhaust the primary's file descriptors; clients retry.
 */
const MAX_PENDING_HANDOVERS = 2_048;

interface ClosableHandle {
  close(): void;
}

export interface PrimaryOptions {
  workers: number;
  /** The gateway address; the primary accepts there and hands each connection to a worker. */
  bindAddr: HostPort;
  /** Seconds the workers get to drain on SIGTERM/SIGINT before they are killed. */
  shutdownTimeout: number;
  /** Logged once every worker is ready, e.g. "GameV1 0.1.0". */
  banner: string;
}

/**
 * The primary of a node run as several processes (WORKERS > 1): forks the workers, accepts on the gateway
 * address and hands each new connection to the next ready worker, relays the workers' calls and moved
 * connections, restarts a worker that dies, and drains them all on SIGTERM/SIGINT. Connections are handed
 * over without waiting for the worker's answer (Node's cluster scheduler waits for one per connection, which
 * lets accepted sockets pile up in the primary during a reconnect storm).
 * Resolves once every worker is ready and the address is bound; rejects if a worker dies before that.
 */
export function runPrimary(options: PrimaryOptions, logger: Logger): Promise<void> {
  const workers = new Map<number, Worker>();
  const ready = new Set<Worker>();
  let inRotation: Worker[] = [];
  let next = 0;
  let stopping = false;
  let started = false;

  const setReady = (worker: Worker, isReady: boolean) => {
    if (isReady) ready.add(worker);
    else ready.delete(worker);
    inRotation = [...ready];
  };

  let pending = 0;
  let lastOverloadLog = 0;
  const acceptor = net.createServer({ pauseOnConnect: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    if (inRotation.length === 0 || pending >= MAX_PENDING_HANDOVERS) {
      if (pending >= MAX_PENDING_HANDOVERS && Date.now() - lastOverloadLog > 1_000) {
        lastOverloadLog = Date.now();
        logger.warn(`${pending} connections wait for a worker; turning new ones away until they catch up`);
      }
      socket.destroy();
      return;
    }
    const worker = inRotation[next++ % inRotation.length]!;
    pending++;
    worker.send({ gamev1: 'connection' } satisfies ControlMessage, socket, (error) => {
      pending--;
      if (error) socket.destroy();
    });
  });

  const relay = (from: number, message: Envelope, handle: unknown) => {
    const target = workers.get(message.to);
    if (target?.isConnected()) {
      target.send(message, handle as never);
      return;
    }
    // The target is gone (restarting): a moved connection goes back to its sender, a call is refused.
    const sender = workers.get(from);
    if (message.gamev1 === 'move' && handle) {
      if (sender?.isConnected()) sender.send({ ...message, to: from, connection: { ...message.connection, bounced: true } }, handle as never);
      else (handle as ClosableHandle).close();
    } else if (message.gamev1 === 'call' && sender?.isConnected()) {
      const reply: Envelope = {
        gamev1: 'reply',
        from: message.to,
        to: from,
        id: message.id,
        ok: false,
        error: { category: 'unavailable', code: 'worker_unavailable', message: `process ${message.to} is restarting` },
      };
      sender.send(reply);
    }
  };

  return new Promise((resolve, reject) => {
    const bind = () => {
      acceptor.once('error', reject);
      acceptor.listen({ host: options.bindAddr.host, port: options.bindAddr.port, backlog: 4096 }, () => {
        started = true;
        const { port } = acceptor.address() as net.AddressInfo;
        logger.info(`${options.banner} listening on ${urlOf(options.bindAddr, port)} with ${options.workers} worker processes`);
        resolve();
      });
    };

    const fork = (index: number) => {
      const worker = cluster.fork(WorkerLink.environmentFor(index, options.workers));
      workers.set(index, worker);
      worker.on('message', (message: unknown, handle?: unknown) => {
        if (!isClusterMessage(message)) return;
        if (message.gamev1 === 'ready') {
          setReady(worker, true);
          if (started) logger.info({ worker: index }, `worker ${index} restarted`);
          else if (ready.size === options.workers) bind();
          return;
        }
        if (message.gamev1 !== 'connection') relay(index, message, handle);
      });
      worker.on('exit', (code, signal) => {
        setReady(worker, false);
        if (workers.get(index) === worker) workers.delete(index);
        if (stopping) {
          if (workers.size === 0) process.exit(0);
          return;
        }
        if (!started) {
          reject(new Error(`worker ${index} exited during start-up (code ${code ?? signal})`));
          return;
        }
        logger.error({ worker: index, code, signal }, `worker ${index} died; restarting it`);
        setTimeout(() => {
          if (!stopping) fork(index);
        }, RESTART_DELAY_MS).unref();
      });
    };
    for (let index = 1; index <= options.workers; index++) fork(index);

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn(`${signal} again: killing the workers`);
        for (const worker of workers.values()) worker.process.kill('SIGKILL');
        process.exit(1);
      }
      stopping = true;
      acceptor.close();
      logger.info(`${signal} received: draining ${workers.size} workers`);
      if (workers.size === 0) process.exit(0);
      for (const worker of workers.values()) worker.process.kill('SIGTERM');
      setTimeout(() => {
        logger.error(`workers did not stop within ${options.shutdownTimeout} s; killing them`);
        for (const worker of workers.values()) worker.process.kill('SIGKILL');
        process.exit(1);
      }, (options.shutdownTimeout + 2) * 1000).unref();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
