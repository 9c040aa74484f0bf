import type { GameV1Client } from '../../../src/index.js';
import { byId, el } from '../shared/dom.js';

const MAX_LINES = 100;

/** Room and global chat: the log of every chat message received, and the input that sends to the chosen scope. */
export function bindChat(client: GameV1Client, inRoom: () => boolean): void {
  const log = byId('chat-log');
  const input = byId<HTMLInputElement>('chat-input');
  const scope = byId<HTMLSelectElement>('chat-scope');
  const roomOption = scope.querySelector<HTMLOptionElement>('option[value="room"]')!;

  const send = () => {
    const message = input.value.trim();
    if (!message) return;
    const messageType = scope.value === 'room' && inRoom() ? 'room' : 'global';
    client.chat(message, messageType);
    input.value = '';
  };
  byId('chat-send').addEventListener('click', send);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') send();
    if (event.key === 'Escape') input.blur();
  });
  // Room chat needs a room: outside one the scope is global.
  const sync = () => {
    roomOption.disabled = !inRoom();
    if (!inRoom()) scope.value = 'global';
  };
  scope.addEventListener('focus', sync);
  client.on('room_joined', () => {
    roomOption.disabled = false;
    scope.value = 'room';
  });
  client.on('room_left', () => sync());
  sync();

  client.on('chat', (message) => {
    const line = el('li');
    const time = new Date(message.sent_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    line.append(el('span', 'scope', `[${message.message_type}] ${time} `), el('span', 'from', message.from.name), document.createTextNode(`: ${message.message}`));
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.append(line);
    while (log.children.length > MAX_LINES) log.firstElementChild!.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  });
}
