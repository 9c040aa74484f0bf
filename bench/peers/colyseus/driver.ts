import { Client, type Room } from '@colyseus/sdk';
import type { BotDriver, BotEvents, BotProcessConfig, BotSpec } from '../../lib/protocol.js';

interface PlayerView {
  lastInput: number;
}
interface ArenaView {
  players: { get(sessionId: string): PlayerView | undefined };
}

/** A bot on the Colyseus peer through Colyseus' own client: it decodes every patch, as a real client must. */
export class ColyseusDriver implements BotDriver {
  private room: Room | undefined;
  private bytes = 0;

  constructor(
    private readonly spec: BotSpec,
    private readonly config: BotProcessConfig,
    private readonly events: BotEvents,
  ) {}

  async connect(): Promise<void> {
    if (!this.spec.roomId) throw new Error('the Colyseus peer has no idle mode');
    const client = new Client(this.config.url);
    const room = await client.joinById(this.spec.roomId, { name: this.spec.name });
    this.room = room;
    const ws = (room.connection.transport as unknown as { ws: { on?: Function; addEventListener?: Function } }).ws;
    const count = (data: ArrayBuffer | Buffer) => {
      this.bytes += data.byteLength;
    };
    if (ws.on) ws.on('message', count);
    else ws.addEventListener?.('message', (event: { data: ArrayBuffer }) => count(event.data));
    room.onStateChange((state: unknown) => {
      const me = (state as ArenaView).players.get(room.sessionId);
      const bytes = this.bytes;
      this.bytes = 0;
      if (me) this.events.onSnapshot(me.lastInput, bytes);
    });
    room.onLeave(() => this.events.onClose());
    room.onError(() => this.events.onError(new Error('colyseus room error')));
  }

  sendInput(sequence: number, movement: { x: number; y: number; z: number }, actions: string[]): void {
    this.room?.send('input', { sequence, movement, actions });
  }

  close(): void {
    void this.room?.leave(false);
  }
}
