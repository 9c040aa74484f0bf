import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { GameStateView, PlayerView } from '../../client/web/src/game/view.js';
import { DEFAULT_ARENA_RULES } from '../../src/sim/rules.js';

// Driving the game page at / in end-to-end tests. The page's read-only test hook `window.gamev1.state()`
// (client/web/src/game/main.ts) is read for the game's state; everything a player does goes through the page's UI.

export type { GameStateView, PlayerView };

/** Upper bound for one condition to come true; the conditions themselves are events, not sleeps. */
export const WAIT = { timeout: 10_000 };

/**
 * Console errors the game page is expected to cause: the lobby asks for the player's league standing, and a guest
 * who never played a rated game gets a 404 the page shows as "Not in the league yet" (Chromium logs every
 * failed request as a console error).
 */
export const GAME_PAGE_EXPECTED_ERRORS = [/status of 404 .*\/api\/leagues\/me\b/];

export const gameState = (page: Page): Promise<GameStateView> =>
  page.evaluate(() => (globalThis as unknown as { gamev1: { state(): GameStateView } }).gamev1.state());

/** Joins as a guest named `name` through the login form and waits for the lobby. */
export async function playAsGuest(page: Page, name: string): Promise<void> {
  await page.locator('#guest-name').fill(name);
  await page.locator('#guest-button').click();
  await page.locator('#lobby').waitFor({ state: 'visible', ...WAIT });
  await expect.poll(() => page.locator('#player-name').textContent(), WAIT).toBe(name);
}

/** Creates a room named `name` from the lobby and waits in it alone; returns the state. */
export async function createRoom(page: Page, name: string): Promise<GameStateView> {
  await page.locator('#create-room-name').fill(name);
  await page.locator('#create-room-button').click();
  const joined = await waitInMatch(page, 1);
  await expect.poll(() => page.locator('#room-title').textContent(), WAIT).toContain(name);
  return joined;
}

/** Joins room `roomId` from the lobby's live room list and waits in it with `players` players; returns the state. */
export async function joinFromList(page: Page, roomId: string, players: number): Promise<GameStateView> {
  const entry = page.locator(`#room-list li[data-room-id="${roomId}"]`);
  await entry.waitFor(WAIT);
  await entry.locator('button.join').click();
  return waitInMatch(page, players);
}

/** Waits until the page shows `screen`. */
export async function waitForScreen(page: Page, screen: GameStateView['screen']): Promise<void> {
  await page.waitForFunction(
    (wanted) => (globalThis as unknown as { gamev1: { state(): GameStateView } }).gamev1.state().screen === wanted,
    screen,
    WAIT,
  );
}

/** Waits for the game screen with a room, `players` in its snapshots, and returns the state. */
export async function waitInMatch(page: Page, players: number): Promise<GameStateView> {
  await page.locator('#game').waitFor({ state: 'visible', ...WAIT });
  await page.waitForFunction(
    (count) => {
      const s = (globalThis as unknown as { gamev1: { state(): GameStateView } }).gamev1.state();
      return s.screen === 'game' && s.roomId !== undefined && s.players.length === count && s.tick > 0;
    },
    players,
    WAIT,
  );
  return gameState(page);
}

/** The viewport point where the arena canvas draws world (x, z) (render.ts: the whole arena fits, centred). */
export async function toScreen(page: Page, x: number, z: number): Promise<{ x: number; y: number }> {
  const box = await page.locator('#arena').boundingBox();
  if (!box) throw new Error('the arena canvas is not laid out');
  const scale = Math.min(box.width, box.height) / (DEFAULT_ARENA_RULES.arenaHalfSize * 2 + 2);
  return { x: box.x + box.width / 2 + x * scale, y: box.y + box.height / 2 + z * scale };
}
