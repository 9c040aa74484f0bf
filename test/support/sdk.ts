import { WebSocket } from 'ws';
import { GameV1Client, type ClientEvents, type ReconnectOptions, type WebSocketConstructor } from '../../client/src/index.js';

/**
 * The SDK on Node: `ws` as its WebSocket, and every socket it opens kept so a test can cut it. Reconnects fast
 * unless `reconnect` is given (`{}`: the SDK's own defaults).
 */
export function sdkClient(url: string, options: { encoding?: 'msgpack' | 'json'; reconnect?: ReconnectOptions } = {}) {
  const sockets: WebSocket[] = [];
  class TrackedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      sockets.push(this);
    }
  }
  const client = new GameV1Client(url, {
    WebSocket: TrackedWebSocket as unknown as WebSocketConstructor,
    encoding: options.encoding ?? 'msgpack',
    reconnect: options.reconnect ?? { minDelayMs: 50, maxDelayMs: 200 },
  });
  return {
    client,
    /** Drops the connection as a network failure would (no close handshake). */
    cut: () => sockets.at(-1)?.terminate(),
  };
}

/** Resolves with the first event payload that satisfies `match`. */
export function waitFor<K extends keyof ClientEvents>(
  client: GameV1Client,
  event: K,
  match: (payload: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no matching ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = client.on(event, (payload) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      stop();
      resolve(payload);
    });
  });
}

/** Two connected SDK guests, Ann and Bob, queued for the same mode and region until matched together. */
export async function matchTwo(url: string, request: { game_mode: string; region: string }) {
  const ann = sdkClient(url).client;
  const bob = sdkClient(url).client;
  const annPlayer = await ann.guest('Ann');
  const bobPlayer = await bob.guest('Bob');
  await Promise.all([ann.connect(), bob.connect()]);
  const found = Promise.all([waitFor(ann, 'match_found'), waitFor(bob, 'match_found')]);
  await ann.queueForMatch(request);
  await bob.queueForMatch(request);
  const [annMatch, bobMatch] = await found;
  return { ann, bob, annPlayer, bobPlayer, annMatch, bobMatch };
}
