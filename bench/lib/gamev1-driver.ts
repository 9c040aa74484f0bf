import { Packr, Unpackr } from 'msgpackr';
import { WebSocket } from 'ws';
import { decodeSnapshot } from '../../src/protocol/snapshot.js';
import type { SnapshotState } from '../../src/sim/types.js';
import type { BotDriver, BotEvents, BotProcessConfig, BotSpec } from './protocol.js';

export const packr = new Packr({ useRecords: false, variableMapSize: true });
export const unpackr = new Unpackr({ useRecords: false });

/** A `game_input` frame as the SDK writes it, acknowledging the last snapshot tick seen (if any). */
export function inputFrame(roomId: string, sequence: number, movement: { x: number; y: number; z: number }, actions: string[], lastTick: number): Buffer {
  return packr.pack({ type: 'game_input', room_id: roomId, sequence, input: { movement, actions }, ...(lastTick >= 0 ? { ack: lastTick } : {}) });
}

interface SnapshotEnvelope {
  type: string;
  tick: number;
  ack: number;
  base: number | null;
  delta: Uint8Array;
}

/** A GameV1 bot over the binary protocol, as the SDK speaks it: guest auth, join, inputs with snapshot acks. */
export class GameV1Driver implements BotDriver {
  private ws: WebSocket | undefined;
  private lastTick = -1;
  private readonly baselines = new Map<number, SnapshotState>();

  constructor(
    private readonly spec: BotSpec,
    private readonly config: BotProcessConfig,
    private readonly events: BotEvents,
  ) {}

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.config.url.replace(/^http/, 'ws')}/ws`, ['gamev1.msgpack'], {
        localAddress: this.config.localAddress,
        perMessageDeflate: false,
      });
      this.ws = ws;
      ws.binaryType = 'nodebuffer';
      let joined = false;
      ws.on('open', () => ws.send(packr.pack({ type: 'auth', player_name: this.spec.name })));
      ws.on('message', (data: Buffer) => {
        const message = unpackr.unpack(data) as { type: string };
        if (message.type === 'game_snapshot') {
          this.onSnapshot(message as SnapshotEnvelope, data.length);
        } else if (message.type === 'auth_ok') {
          if (this.spec.roomId) {
            ws.send(packr.pack({ type: 'join_room', room_id: this.spec.roomId }));
          } else {
            joined = true;
            resolve();
          }
        } else if (message.type === 'room_joined') {
          joined = true;
          resolve();
        } else if (message.type === 'error') {
          const error = new Error(`server error: ${JSON.stringify(message)}`);
          if (!joined) reject(error);
          else this.events.onError(error);
        }
      });
      ws.on('error', (error) => (joined ? this.events.onError(error) : reject(error)));
      ws.on('close', () => {
        if (joined) this.events.onClose();
        else reject(new Error('closed before joining'));
      });
    });
  }

  sendInput(sequence: number, movement: { x: number; y: number; z: number }, actions: string[]): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN || !this.spec.roomId) return;
    ws.send(inputFrame(this.spec.roomId, sequence, movement, actions, this.lastTick));
  }

  close(): void {
    this.ws?.terminate();
  }

  private onSnapshot(envelope: SnapshotEnvelope, bytes: number): void {
    if (this.config.decode === 'full') {
      const base = envelope.base === null ? undefined : this.baselines.get(envelope.base);
      if (envelope.base !== null && !base) return;
      const state = decodeSnapshot(envelope.delta, base);
      this.baselines.set(state.tick, state);
      // The server only encodes against acknowledged ticks, so older baselines are never needed again.
      for (const tick of this.baselines.keys()) if (tick < (envelope.base ?? state.tick)) this.baselines.delete(tick);
    }
    this.lastTick = envelope.tick;
    this.events.onSnapshot(envelope.ack, bytes);
  }
}
