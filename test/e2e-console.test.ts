import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, ensureWebBuilt, keepScreenshot, noChromiumReason, openPage, screenshot, useBrowser, type OpenedPage } from './support/chromium.js';
import { createRoom, GAME_PAGE_EXPECTED_ERRORS, joinFromList, playAsGuest, WAIT, waitForScreen, waitInMatch } from './support/game-page.js';
import { sdkClient } from './support/sdk.js';
import { startTestServer, type TestServer } from './support/server.js';
import { account } from './support/tournaments.js';

// End-to-end: the operator console at /console in a real (system) Chromium, watching players of the game page
// at / on the same server, and kicking one of them through its own dialog.

const ADMIN = { email: 'ops@example.com', password: 'correct horse battery', name: 'Ops' };

async function loginAsAdmin(page: Page): Promise<void> {
  await page.locator('#console-email').fill(ADMIN.email);
  await page.locator('#console-password').fill(ADMIN.password);
  await page.locator('#console-login-button').click();
  await page.locator('#console-main').waitFor({ state: 'visible', ...WAIT });
}

describe.skipIf(!chromiumPath)(`the operator console in Chromium${noChromiumReason ? ` (${noChromiumReason})` : ''}`, () => {
  const browser = useBrowser();
  let t: TestServer;
  const pages: OpenedPage[] = [];

  async function open(path: string, ignore: readonly RegExp[] = []): Promise<OpenedPage> {
    const opened = await openPage(browser(), t.url + path, ignore);
    pages.push(opened);
    return opened;
  }

  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestServer({ ADMIN_EMAILS: ADMIN.email });
    const registered = await t.call('POST', '/auth/register', {
      body: { email: ADMIN.email, password: ADMIN.password, display_name: ADMIN.name },
    });
    expect(registered.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    for (const opened of pages) await opened.close().catch(() => undefined);
    await t?.stop();
  });

  it('refuses a player without the admin role', async () => {
    const email = `player-${Date.now()}@example.com`;
    await t.call('POST', '/auth/register', { body: { email, password: ADMIN.password, display_name: 'Nosy' } });
    // The page asks for the role, and the admin API answers 403 to a player (Chromium logs the refused request).
    const { page, errors } = await open('/console', [/status of 403/]);
    await page.locator('#console-email').fill(email);
    await page.locator('#console-password').fill(ADMIN.password);
    await page.locator('#console-login-button').click();
    await expect.poll(() => page.locator('#console-error').textContent(), WAIT).toContain('admin role');
    expect(await page.locator('#console-main').isVisible()).toBe(false);
    expect(errors).toEqual([]);
  }, 30_000);

  it('stays logged in across a reload, and logging out ends the session', async () => {
    const { page, errors } = await open('/console');
    await loginAsAdmin(page);
    await page.reload();
    await page.locator('#console-main').waitFor({ state: 'visible', ...WAIT });
    await expect.poll(() => page.locator('#console-nodes tr[data-node-id]').count(), WAIT).toBeGreaterThanOrEqual(1);
    await page.locator('#console-logout').click();
    await page.locator('#console-login').waitFor({ state: 'visible', ...WAIT });
    // Nothing is left to resume: a reload shows the login again.
    await page.reload();
    await page.locator('#console-login').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('#console-main').isVisible()).toBe(false);
    expect(errors).toEqual([]);
  }, 30_000);

  it('lists the room with its players, and an admin kick disconnects the player', async () => {
    // Two guests play in one room on the game page.
    const host = await open('/', GAME_PAGE_EXPECTED_ERRORS);
    const guest = await open('/', GAME_PAGE_EXPECTED_ERRORS);
    await Promise.all([playAsGuest(host.page, 'Host'), playAsGuest(guest.page, 'Rowdy')]);
    const hosted = await createRoom(host.page, 'Watched arena');
    const rowdy = await joinFromList(guest.page, hosted.roomId!, 2);
    await waitInMatch(host.page, 2);

    // The admin logs in to the console, which lists the room with both players and the node serving it.
    const ops = await open('/console');
    const { page } = ops;
    await loginAsAdmin(page);
    const roomRow = page.locator(`#console-rooms tr[data-room-id="${hosted.roomId}"]`);
    await roomRow.waitFor(WAIT);
    await expect.poll(() => roomRow.textContent(), WAIT).toContain('Watched arena');
    // Cells: name, mode, node, status, players, tick, age, actions.
    const roomPlayers = roomRow.locator('td').nth(4);
    await expect.poll(() => roomPlayers.textContent(), WAIT).toMatch(/^2 \/ \d+ · (Host, Rowdy|Rowdy, Host)$/);
    expect(await roomRow.locator('td').nth(2).textContent()).toBe('test-node');
    await expect.poll(() => page.locator('#console-nodes tr[data-node-id]').count(), WAIT).toBeGreaterThanOrEqual(1);

    // The admin finds the player and kicks them with a reason.
    await page.locator('#console-players-search').fill('Rowdy');
    await page.locator('#console-players-search-button').click();
    const playerRow = page.locator(`#console-players tr[data-player-id="${rowdy.playerId}"]`);
    await playerRow.waitFor(WAIT);
    await expect.poll(() => page.locator('#console-players tr[data-player-id]').count(), WAIT).toBe(1);
    const shot = await screenshot(page, 'console');
    keepScreenshot(shot, 'console.png');
    await playerRow.locator('button.kick').click();
    await page.locator('#kick-dialog').waitFor({ state: 'visible', ...WAIT });
    await page.locator('#kick-reason').fill('spamming the chat');
    await page.locator('#kick-confirm').click();
    await expect.poll(() => page.locator('#panel-players .notice').textContent(), WAIT).toContain('spamming the chat');

    // The kicked page is disconnected for good: back at the login, saying why; it does not reconnect.
    await waitForScreen(guest.page, 'login');
    await expect.poll(() => guest.page.locator('#login-error').textContent(), WAIT).toBe('you were kicked: spamming the chat');
    expect(await guest.page.locator('#connection-state').textContent()).toContain('disconnected');
    // The host stays, alone in the room, and the console's room row follows.
    await waitInMatch(host.page, 1);
    await expect.poll(() => roomPlayers.textContent(), WAIT).toMatch(/^1 \/ \d+ · Host$/);
    // The kick is in the audit log panel.
    const audit = page.locator('#console-audit tr[data-entry-id]', { hasText: 'player.kick' });
    await expect.poll(() => audit.count(), WAIT).toBe(1);
    expect(await audit.first().textContent()).toContain('spamming the chat');
    await screenshot(page, 'console-after-kick');
    await screenshot(guest.page, 'game-kicked');

    expect(host.errors).toEqual([]);
    expect(guest.errors).toEqual([]);
    expect(ops.errors).toEqual([]);
  }, 45_000);

  it('runs a tournament: starts it, advances it by a report, reopens the played match', async () => {
    const { client: admin } = sdkClient(t.url);
    await admin.login(ADMIN.email, ADMIN.password);
    const cup = await admin.createTournament({ name: 'Console Cup', stages: [{ format: 'single_elimination' }], seeding: 'registration' });
    const entrants = await Promise.all(['Ann', 'Bob'].map((name) => account(t.url, name)));
    for (const { client } of entrants) await client.registerForTournament(cup.id);

    const { page, errors } = await open('/console');
    await loginAsAdmin(page);
    const row = page.locator(`#console-tournaments tr[data-tournament-id="${cup.id}"]`);
    await row.waitFor(WAIT);
    // Cells: name, mode, status, entrants, format, starts, matches, actions.
    const status = row.locator('td').nth(2);
    const progress = row.locator('td').nth(6);
    expect(await status.textContent()).toBe('registration');
    await row.locator('button.start').click();
    await expect.poll(() => status.textContent(), WAIT).toBe('running');
    await expect.poll(() => progress.textContent(), WAIT).toBe('0 / 1 played');

    // The one match is decided by a report: Bob wins 2–1, the bracket is done and the tournament finished.
    const [, bob] = entrants;
    await expect.poll(() => row.locator('select.report-match option').count(), WAIT).toBe(1);
    await row.locator('button.report').click();
    await page.locator('#report-dialog').waitFor({ state: 'visible', ...WAIT });
    await page.locator('#report-winner').selectOption(bob!.player.id);
    // Half a score is refused in the dialog, which stays open with the reason.
    await page.locator('#report-score-a').fill('1');
    await page.locator('#report-confirm').click();
    await expect.poll(() => page.locator('#report-dialog .dialog-error').textContent(), WAIT).toContain('two whole numbers');
    expect(await page.locator('#report-dialog').isVisible()).toBe(true);
    await page.locator('#report-score-b').fill('2');
    await page.locator('#report-confirm').click();
    await expect.poll(() => page.locator('#panel-tournaments .notice').textContent(), WAIT).toContain('Bob won');
    await expect.poll(() => status.textContent(), WAIT).toBe('finished');
    expect(await progress.textContent()).toBe('1 / 1 played');
    const reported = (await admin.getTournament(cup.id)).matches[0]!;
    expect(reported.winner_id).toBe(bob!.player.id);
    expect(reported.score).toEqual(reported.players[0] === bob!.player.id ? [2, 1] : [1, 2]);

    // Reopened, the match waits for a report again and the tournament runs again.
    await expect.poll(() => row.locator('select.reopen-match option').count(), WAIT).toBe(1);
    await row.locator('button.reopen').click();
    await page.locator('#reopen-dialog').waitFor({ state: 'visible', ...WAIT });
    await page.locator('#reopen-confirm').click();
    await expect.poll(() => progress.textContent(), WAIT).toBe('0 / 1 played');
    expect(await status.textContent()).toBe('running');
    const audit = page.locator('#console-audit tr[data-entry-id]');
    for (const action of ['tournament.start', 'tournament.report', 'tournament.reopen']) {
      await expect.poll(() => audit.filter({ hasText: action }).count(), WAIT).toBe(1);
    }
    await screenshot(page, 'console-tournament');
    expect(errors).toEqual([]);
  }, 30_000);
});
