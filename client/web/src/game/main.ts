import './style.css';
import type { GameV1Client, RoomJoined } from '../../../src/index.js';
import { createClient, errorText, gameModes, type GameModeInfo } from '../shared/api.js';
import { byId, setText, show } from '../shared/dom.js';
import { bindChat } from './chat.js';
import { delayedWebSocket } from './latency.js';
import { Lobby } from './lobby.js';
import { Match } from './match.js';
import type { GameStateView, Screen } from './view.js';

/** What the dev latency toggle adds to every send and every receive. */
const SIMULATED_LATENCY_MS = 150;

interface TestHook {
  client: GameV1Client;
  state(): GameStateView;
  aimAt(playerId: string): void;
}

declare global {
  interface Window {
    gamev1: TestHook;
  }
}

const delay = { ms: 0 };
const client = createClient({ WebSocket: delayedWebSocket(delay) });
let screen: Screen = 'login';
let match: Match | undefined;
let lobby: Lobby | undefined;

function showScreen(next: Screen): void {
  screen = next;
  show(byId('login'), next === 'login');
  show(byId('lobby'), next === 'lobby');
  show(byId('game'), next === 'game');
  const chat = byId('chat');
  const slot = document.querySelector(`.chat-slot[data-screen="${next}"]`);
  if (slot && chat.parentElement !== slot) slot.append(chat);
  show(chat, slot !== null);
  if (next === 'lobby') lobby?.start();
  else lobby?.stop();
}

// ---- login ------------------------------------------------------------------------------------------

async function signIn(how: () => Promise<unknown>): Promise<void> {
  const error = byId('login-error');
  setText(error, '');
  const buttons = ['guest-button', 'login-button', 'register-button'].map((id) => byId<HTMLButtonElement>(id));
  for (const button of buttons) button.disabled = true;
  try {
    await how();
    await client.connect();
    let modes: GameModeInfo[] = [];
    try {
      modes = await gameModes();
    } catch {
      modes = [{ id: 'deathmatch', default: true, min_players: 1, max_players: 8, teams: 0, team_based: false, rating: 'elo' }];
    }
    lobby ??= new Lobby(client, modes, enterRoom);
    showScreen('lobby');
  } catch (failure) {
    setText(error, errorText(failure));
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

function credentials(): [string, string] {
  return [byId<HTMLInputElement>('login-email').value.trim(), byId<HTMLInputElement>('login-password').value];
}

byId('guest-button').addEventListener('click', () => {
  const name = byId<HTMLInputElement>('guest-name').value.trim();
  void signIn(() => client.guest(name || undefined));
});
byId('login-button').addEventListener('click', () => void signIn(() => client.login(...credentials())));
byId('register-button').addEventListener('click', () => void signIn(() => client.register(...credentials())));
byId('login-password').addEventListener('keydown', (event) => {
  if (event.key === 'Enter') void signIn(() => client.login(...credentials()));
});
byId('guest-name').addEventListener('keydown', (event) => {
  if (event.key === 'Enter') byId('guest-button').click();
});

// ---- rooms ------------------------------------------------------------------------------------------

async function enterRoom(roomId: string): Promise<void> {
  if (client.roomId === roomId) return;
  if (client.roomId) await client.leaveRoom();
  await client.joinRoom(roomId);
}

function startMatch(joined: RoomJoined): void {
  // A reconnect rejoins the same room: the match goes on with the same state.
  if (match?.roomId === joined.room_id) return;
  match?.dispose();
  match = new Match(client, joined);
  showScreen('game');
}

function endMatch(): void {
  match?.dispose();
  match = undefined;
  if (screen === 'game') showScreen('lobby');
}

client.on('room_joined', startMatch);
client.on('room_left', endMatch);
client.on('tournament_match_ready', (ready) => {
  if (!client.roomId && screen === 'lobby') void enterRoom(ready.room_id);
});
byId('leave-button').addEventListener('click', () => {
  void client.leaveRoom().finally(endMatch);
});
byId<HTMLInputElement>('latency-toggle').addEventListener('change', (event) => {
  delay.ms = (event.target as HTMLInputElement).checked ? SIMULATED_LATENCY_MS : 0;
});

// ---- connection -------------------------------------------------------------------------------------

const connection = byId('connection-state');
client.on('auth_ok', (auth) => setText(connection, `connected as ${auth.display_name}`));
client.on('reconnecting', ({ attempt }) => setText(connection, `reconnecting (attempt ${attempt})…`));
/** The server's word on why it is about to close the connection (a kick or a ban), shown on the login screen. */
let expulsion: string | undefined;
client.on('error', (error) => {
  if (error.code === 'kicked' || error.code === 'banned') expulsion = error.message;
});
client.on('disconnected', ({ willReconnect, reason }) => {
  setText(connection, willReconnect ? 'connection lost, reconnecting…' : `disconnected${reason ? `: ${reason}` : ''}`);
  if (willReconnect) return;
  endMatch();
  showScreen('login');
  setText(byId('login-error'), expulsion ?? (reason ? `Disconnected: ${reason}` : 'Disconnected'));
  expulsion = undefined;
});
client.on('reconnect_failed', () => {
  endMatch();
  showScreen('login');
  setText(byId('login-error'), 'The connection to the server was lost.');
});

bindChat(client, () => client.roomId !== undefined);

window.gamev1 = {
  client,
  state: () => ({
    screen,
    playerId: client.player?.id,
    roomId: client.roomId,
    tick: match?.tick ?? 0,
    players: match?.players() ?? [],
    hitsDealt: match?.hitsDealt ?? 0,
    hitsTaken: match?.hitsTaken ?? 0,
  }),
  aimAt: (playerId) => match?.aimAt(playerId),
};

showScreen('login');
