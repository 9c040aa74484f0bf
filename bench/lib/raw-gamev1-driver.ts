/**
 * A GameV1 bot on RawWebSocket: the same messages as GameV1Driver (auth as a guest by name, join_room,
 * game_input with its sequence and the last snapshot tick as `ack`), but snapshots are never decoded: `tick`
 * and `ack` are read at the places src/protocol/envelope.ts writes them.
 */
import { inputFrame, packr, unpackr } from './gamev1-driver.js';
import type { BotDriver, BotEvents, BotProcessConfig, BotSpec } from './protocol.js';
import { RawWebSocket } from './raw-websocket.js';

const SUBPROTOCOL = 'gamev1.msgpack';

const msgpackString = (text: string) => [0xa0 | text.length, ...Buffer.from(text)];
/** The fixed start of every snapshot envelope: map of 6, `type: 'game_snapshot'`, then the `room_id` key. */
const SNAPSHOT_HEAD = Buffer.from([0x86, ...msgpackString('type'), ...msgpackString('game_snapshot'), ...msgpackString('room_id')]);
const TICK_KEY_LENGTH = msgpackString('tick').length;
const UINT32 = 0xce;
const FLOAT64 = 0xcb;

const isSnapshot = (payload: Buffer) =>
  payload.length > SNAPSHOT_HEAD.length && payload.compare(SNAPSHOT_HEAD, 0, SNAPSHOT_HEAD.length, 0, SNAPSHOT_HEAD.length) === 0;

/** `tick` follows the room id (a fixstr, str8 or str16) and the `tick` key, as a uint32. */
function snapshotTick(payload: Buffer): number {
  let at = SNAPSHOT_HEAD.length;
  const header = payload[at]!;
  const length = (header & 0xe0) === 0xa0 ? header & 0x1f : header === 0xd9 ? payload[at + 1]! : payload.readUInt16BE(at + 1);
  at += ((header & 0xe0) === 0xa0 ? 1 : header === 0xd9 ? 2 : 3) + length + TICK_KEY_LENGTH;
  if (payload[at] !== UINT32) throw new Error('snapshot envelope changed: tick is not a uint32 where envelope.ts puts it');
  return payload.readUInt32BE(at + 1);
}

/** `ack` is the last entry of the map: a float64 in the envelope's final 8 bytes. */
function snapshotAck(payload: Buffer): number {
  if (payload[payload.length - 9] !== FLOAT64) throw new Error('snapshot envelope changed: ack is not a trailing float64');
  return payload.readDoubleBE(payload.length - 8);
}

export class RawGameV1Driver implements BotDriver {
  private socket: RawWebSocket | undefined;
  private joined = false;
  private lastTick = -1;

  constructor(
    private readonly spec: BotSpec,
    private readonly config: BotProcessConfig,
    private readonly events: BotEvents,
  ) {}

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => (this.joined ? this.events.onError(error) : reject(error));
      this.socket = new RawWebSocket(`${this.config.url}/ws`, SUBPROTOCOL, this.config.localAddress, {
        open: () => this.socket!.send(packr.pack({ type: 'auth', player_name: this.spec.name })),
        message: (payload) => {
          if (isSnapshot(payload)) {
            this.lastTick = snapshotTick(payload);
            this.events.onSnapshot(snapshotAck(payload), payload.length);
            return;
          }
          const message = unpackr.unpack(payload) as { type: string };
          if (message.type === 'auth_ok' && this.spec.roomId) {
            this.socket!.send(packr.pack({ type: 'join_room', room_id: this.spec.roomId }));
          } else if (message.type === 'room_joined' || (message.type === 'auth_ok' && !this.spec.roomId)) {
            this.joined = true;
            resolve();
          } else if (message.type === 'error') {
            fail(new Error(`server error: ${JSON.stringify(message)}`));
          }
        },
        error: fail,
        close: () => (this.joined ? this.events.onClose() : reject(new Error('closed before joining'))),
      });
    });
  }

  sendInput(sequence: number, movement: { x: number; y: number; z: number }, actions: string[]): void {
    if (!this.joined || !this.spec.roomId) return;
    this.socket!.send(inputFrame(this.spec.roomId, sequence, movement, actions, this.lastTick));
  }

  close(): void {
    this.socket?.destroy();
  }
}
