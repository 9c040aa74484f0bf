import type { GameV1Client, MatchmakingStatus, RoomInfo } from '../../../src/index.js';
import { errorText, type GameModeInfo } from '../shared/api.js';
import { byId, el, every, setText } from '../shared/dom.js';
import { Standings } from './standings.js';

const ROOMS_REFRESH_MS = 2000;
const QUEUE_REFRESH_MS = 1000;
const STANDINGS_REFRESH_MS = 10_000;
/** The node's region unless it announces another: queues are per (mode, region). */
const REGION = 'default';

/** The lobby: live room list, room creation, quick play through matchmaking and the standings panels. */
export class Lobby {
  private readonly standings: Standings;
  private stops: (() => void)[] = [];
  private stopQueuePoll: (() => void) | undefined;
  private queuedAt = 0;

  constructor(
    private readonly client: GameV1Client,
    private readonly modes: readonly GameModeInfo[],
    private readonly enterRoom: (roomId: string) => Promise<void>,
  ) {
    this.standings = new Standings(client, () => client.player?.id);
    const modeSelect = byId<HTMLSelectElement>('create-room-mode');
    modeSelect.replaceChildren(
      ...modes.map((mode) => {
        const option = el('option', undefined, `${mode.id.replace(/_/g, ' ')}${mode.team_based ? ` (${mode.teams} teams)` : ''}`);
        option.value = mode.id;
        option.selected = mode.default;
        return option;
      }),
    );
    const maxInput = byId<HTMLInputElement>('create-room-max');
    const syncMax = () => {
      const mode = this.selectedMode();
      if (!mode) return;
      maxInput.max = String(mode.max_players);
      maxInput.min = String(mode.min_players);
      if (Number(maxInput.value) > mode.max_players) maxInput.value = String(mode.max_players);
    };
    modeSelect.addEventListener('change', syncMax);
    syncMax();

    byId('create-room-button').addEventListener('click', () => void this.createRoom());
    byId('quick-play-button').addEventListener('click', () => void this.quickPlay());
    byId('cancel-queue-button').addEventListener('click', () => void this.cancelQueue());
    client.on('match_found', (match) => {
      this.showQueue({ status: 'matched', room_id: match.room_id });
      void this.join(match.room_id);
    });
    client.on('match_cancelled', (notice) => {
      if (notice.requeued) this.showQueue({ status: 'queued' });
      else this.showQueue({ status: 'idle' });
    });
  }

  start(): void {
    this.stop();
    setText(byId('player-name'), this.client.player?.display_name ?? '');
    this.stops.push(every(ROOMS_REFRESH_MS, () => this.refreshRooms()), every(STANDINGS_REFRESH_MS, () => this.standings.refresh()));
  }

  stop(): void {
    for (const stop of this.stops) stop();
    this.stops = [];
  }

  private selectedMode(): GameModeInfo | undefined {
    const id = byId<HTMLSelectElement>('create-room-mode').value;
    return this.modes.find((mode) => mode.id === id) ?? this.modes[0];
  }

  private error(message: string): void {
    setText(byId('lobby-error'), message);
  }

  private async join(roomId: string): Promise<void> {
    this.error('');
    try {
      await this.enterRoom(roomId);
      this.endQueuePoll();
    } catch (error) {
      this.error(`Could not join: ${errorText(error)}`);
    }
  }

  private async refreshRooms(): Promise<void> {
    let rooms: RoomInfo[];
    try {
      rooms = await this.client.listRooms();
    } catch (error) {
      this.error(errorText(error));
      return;
    }
    const list = byId('room-list');
    const items = rooms
      .filter((room) => room.status !== 'finished')
      .map((room) => {
        const item = el('li');
        item.dataset.roomId = room.room_id;
        const label = el('span');
        label.append(el('b', undefined, room.room_name), el('span', 'muted', ` · ${room.game_mode} · ${room.player_count}/${room.max_players} players · ${room.status}`));
        const button = el('button', 'join', 'Join');
        button.disabled = room.player_count >= room.max_players;
        button.addEventListener('click', () => void this.join(room.room_id));
        item.append(label, button);
        return item;
      });
    const signature = rooms.map((room) => `${room.room_id}:${room.player_count}:${room.status}`).join('|');
    if (list.dataset.signature !== signature) {
      list.dataset.signature = signature;
      list.replaceChildren(...items);
    }
  }

  private async createRoom(): Promise<void> {
    this.error('');
    const name = byId<HTMLInputElement>('create-room-name').value.trim() || `${this.client.player?.display_name ?? 'Player'}'s room`;
    const maxPlayers = Number(byId<HTMLInputElement>('create-room-max').value);
    try {
      const room = await this.client.createRoom({
        room_name: name,
        game_mode: this.selectedMode()?.id,
        ...(Number.isInteger(maxPlayers) && maxPlayers > 0 && { max_players: maxPlayers }),
      });
      await this.join(room.room_id);
    } catch (error) {
      this.error(`Could not create the room: ${errorText(error)}`);
    }
  }

  private async quickPlay(): Promise<void> {
    this.error('');
    const mode = this.selectedMode();
    if (!mode) return;
    try {
      this.queuedAt = performance.now();
      this.showQueue(await this.client.queueForMatch({ game_mode: mode.id, region: REGION }));
      this.endQueuePoll();
      this.stopQueuePoll = every(QUEUE_REFRESH_MS, () => this.pollQueue());
    } catch (error) {
      this.error(`Could not queue: ${errorText(error)}`);
    }
  }

  private async pollQueue(): Promise<void> {
    const status = await this.client.matchmakingStatus().catch(() => undefined);
    if (!status) return;
    const shown = byId('queue-state').dataset.status;
    // A match already being joined stays "match found" while the queue forgets the ticket.
    if (shown === 'matched' && status.status !== 'queued') return;
    this.showQueue(status);
    if (status.status === 'matched' && status.room_id) void this.join(status.room_id);
    if (status.status !== 'queued') this.endQueuePoll();
  }

  private async cancelQueue(): Promise<void> {
    this.endQueuePoll();
    try {
      this.showQueue(await this.client.cancelQueue());
    } catch (error) {
      this.showQueue({ status: 'idle' });
      this.error(errorText(error));
    }
  }

  private endQueuePoll(): void {
    this.stopQueuePoll?.();
    this.stopQueuePoll = undefined;
  }

  private showQueue(status: MatchmakingStatus): void {
    const state = byId('queue-state');
    state.dataset.status = status.status;
    const waited = status.waited_seconds ?? (performance.now() - this.queuedAt) / 1000;
    const text: Record<MatchmakingStatus['status'], string> = {
      idle: 'idle',
      queued: `queued ${Math.floor(waited)} s${status.priority ? ' (priority)' : ''}`,
      matched: 'match found',
      timeout: 'no match found in time',
      invalid: `invalid: ${status.reason ?? ''}`,
      cancelled: 'cancelled',
    };
    setText(state, text[status.status]);
    const queued = status.status === 'queued';
    byId<HTMLButtonElement>('cancel-queue-button').disabled = !queued;
    byId<HTMLButtonElement>('quick-play-button').disabled = queued;
  }
}
