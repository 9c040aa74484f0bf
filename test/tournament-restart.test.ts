/**
 * A tournament survives its server being killed: the process dies (SIGKILL) with one match decided and another
 * being played; the restarted process keeps every result, replaces the room that died with the process, tells
 * the players (who reconnect by themselves), and the tournament plays on to its end.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { GameV1Client, type WebSocketConstructor } from '../client/src/index.js';
import type { TournamentDetails } from '../src/api/index.js';
import { shootUntilMatchEnds } from './support/play.js';
import { freePort, listeningUrl, startProcess } from './support/process.js';
import { dropIsolation, isolation, realBackends, testConfig } from './support/server.js';
import { organizer } from './support/tournaments.js';

describe('a tournament whose server is killed mid-way', () => {
  const scope = isolation();
  let dataDir: string;
  let port: number;
  const env = () => ({
    ...(realBackends
      ? { DATABASE_URL: process.env.DATABASE_URL!, DATABASE_SCHEMA: scope.schema, REDIS_URL: process.env.REDIS_URL!, REDIS_KEY_PREFIX: scope.keyPrefix }
      : { DATA_DIR: join(dataDir, 'db') }),
    OUTBOX_DIR: join(dataDir, 'outbox'),
    GATEWAY_BIND_ADDR: `127.0.0.1:${port}`,
    JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
    NODE_NAME: 'tournament-node',
    ADMIN_EMAILS: 'organizer@example.com',
    SCORE_LIMIT: '1',
    AUTH_RATE_LIMIT_PER_IP: '1000',
    LOG_LEVEL: 'info',
    // Rooms are not checkpointed here: this is about the tournament replacing a room that is gone for good
    // (test/room-survival.test.ts covers rooms that come back).
    ROOM_CHECKPOINT_INTERVAL: '0',
  });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gamev1-tournament-restart-'));
    port = await freePort();
  });
  afterAll(async () => {
    if (realBackends) await dropIsolation(testConfig({}, scope));
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A guest that keeps reconnecting through the restart and joins every match room it is told of. */
  async function bot(url: string, name: string) {
    const client = new GameV1Client(url, {
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { minDelayMs: 100, maxDelayMs: 500, maxAttempts: 200 },
    });
    const player = await client.guest(name);
    await client.connect();
    const rooms: string[] = [];
    const me = { client, id: player.id, rooms, holdFire: false };
    client.on('tournament_match_ready', (notice) => {
      rooms.push(notice.room_id);
      // A notice for a room that died with the process fails to join: the replacement's notice follows.
      void (async () => {
        await client.joinRoom(notice.room_id);
        if (player.id < notice.opponent_id && !me.holdFire) await shootUntilMatchEnds(client, player.id, notice.opponent_id, client);
      })().catch(() => undefined);
    });
    return me;
  }

  it('keeps every result, replaces the lost room and plays on to the end', async () => {
    const first = startProcess(env());
    let second: ReturnType<typeof startProcess> | undefined;
    const clients: GameV1Client[] = [];
    try {
      const { url } = await listeningUrl(first);
      const admin = await organizer(url);
      clients.push(admin);
      const created = await admin.createTournament({ name: 'Crash Cup', stages: [{ format: 'single_elimination' }], seeding: 'registration' });
      const players = await Promise.all(['Ann', 'Bob', 'Cid', 'Dee'].map((name) => bot(url, name)));
      clients.push(...players.map((p) => p.client));
      for (const { client } of players) await client.registerForTournament(created.id);
      // One first-round match is played before the kill; in the other the players only sit in its room.
      const seated = players.slice(1, 3);
      for (const player of seated) player.holdFire = true;
      const started = await admin.startTournament(created.id);
      const played = started.matches.find((m) => m.round === 1 && m.players.includes(players[0]!.id))!;
      const interrupted = started.matches.find((m) => m.round === 1 && m !== played)!;
      expect(interrupted.players.toSorted()).toEqual(seated.map((p) => p.id).toSorted());
      const roomBefore = interrupted.room_id!;
      expect(roomBefore).toBeTruthy();

      let state: TournamentDetails | undefined;
      const match = (id: string) => state!.matches.find((m) => m.id === id)!;
      await expect.poll(async () => match((state = await admin.getTournament(created.id), played.id)).winner_id, { timeout: 30_000 }).not.toBeNull();
      const firstWinner = match(played.id).winner_id;
      expect(played.players).toContain(firstWinner);
      const seatedIn = async (roomId: string) => ((await (await fetch(`${url}/api/rooms/${roomId}`, { headers: { authorization: `Bearer ${admin.accessToken}` } })).json()) as { players?: unknown[] }).players?.length;
      await expect.poll(() => seatedIn(roomBefore), { timeout: 15_000 }).toBe(2);

      first.kill('SIGKILL');
      await once(first, 'exit');
      for (const player of seated) player.holdFire = false;
      second = startProcess(env());
      await listeningUrl(second);

      // The room died with the process: a new one is opened for the same match and both players hear of it.
      await expect.poll(async () => match((state = await admin.getTournament(created.id), interrupted.id)).room_id, { timeout: 30_000 }).not.toBe(roomBefore);
      expect(match(played.id).winner_id).toBe(firstWinner);
      const roomAfter = match(interrupted.id).room_id;
      await expect.poll(() => seated.every((p) => p.rooms.includes(roomAfter!)), { timeout: 15_000 }).toBe(true);

      await expect.poll(async () => (state = await admin.getTournament(created.id)).status, { timeout: 60_000, interval: 250 }).toBe('finished');
      expect(state!.placements).toHaveLength(4);
      expect(match(played.id).winner_id).toBe(firstWinner);
      expect(state!.matches.every((m) => m.forfeited.length === 0)).toBe(true);
      const opened = (await admin.tournamentEvents(created.id, { limit: 1000 })).filter((e) => e.type === 'room_opened').map((e) => e.data.match_id);
      expect(opened.filter((id) => id === interrupted.id)).toHaveLength(2);
    } finally {
      for (const client of clients) client.close();
      first.kill('SIGKILL');
      second?.kill('SIGTERM');
      if (second && second.exitCode === null) await once(second, 'exit');
    }
  }, 150_000);
});
