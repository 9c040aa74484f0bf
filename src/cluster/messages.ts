import type { ErrorCategory } from '../errors/index.js';
import type { MovedConnection } from '../rooms/index.js';

/** An AppError crossing the IPC channel, rebuilt as one on the calling side. */
export type WireError = { category: ErrorCategory; code: string; message: string };

/** What worker processes send each other through the primary; `from` and `to` are 1-based process indexes. */
export type Envelope =
  | { gamev1: 'call'; from: number; to: number; id: number; op: string; args: unknown }
  | ({ gamev1: 'reply'; from: number; to: number; id: number } & ({ ok: true; value: unknown } | { ok: false; error: WireError }))
  | { gamev1: 'move'; from: number; to: number; connection: MovedConnection };

/** Between the primary and one worker: the worker is ready to serve; a new client connection (with its socket). */
export type ControlMessage = { gamev1: 'ready' } | { gamev1: 'connection' };

/** Tells this project's messages from anything else on a process's IPC channel. */
export function isClusterMessage(message: unknown): message is Envelope | ControlMessage {
  return typeof message === 'object' && message !== null && 'gamev1' in message;
}
