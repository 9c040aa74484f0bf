import { GameV1Client, type GameV1ClientOptions } from '../../../src/index.js';
import type { GameModeList } from '../../../../src/api/index.js';

export type { GameModeInfo } from '../../../../src/api/index.js';

/** A client of the server that served this page (same origin, so HTTP and /ws need no configuration). */
export function createClient(options: GameV1ClientOptions = {}): GameV1Client {
  return new GameV1Client(location.origin, options);
}

/** GET /api/game-modes: the modes rooms and matchmaking accept. */
export async function gameModes(): Promise<GameModeList['modes']> {
  const response = await fetch('/api/game-modes');
  if (!response.ok) throw new Error(`GET /api/game-modes answered ${response.status}`);
  return ((await response.json()) as GameModeList).modes;
}

/** The server's message for a failed call (`GameV1Error` and friends), else the error's text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
