import { PackedSnapshot, SnapshotEncoder, SnapshotEnvelopeBuilder, withAck, type SnapshotEnvelope } from '../protocol/index.js';
import type { SnapshotState } from '../sim/index.js';
import { SnapshotHistory } from './snapshot-history.js';

/** How many streamed snapshots a client may acknowledge as its baseline. */
const BASELINES = 32;

/**
 * One room's snapshot frames, round by round. Within a round every frame is built at most once and shared:
 * binary clients that acknowledged the same baseline share one encoded delta and envelope (each gets a copy
 * with only its ack patched in), JSON clients share one body. Nothing is allocated per client but its frame.
 */
export class SnapshotFanout {
  private readonly history = new SnapshotHistory(BASELINES);
  private readonly encoder = new SnapshotEncoder();
  private readonly envelopes: SnapshotEnvelopeBuilder;
  /** Where a snapshot that is no baseline (a welcome) is packed, so it does not push one out of the history. */
  private readonly unkept = new PackedSnapshot();
  private readonly byBaseline = new Map<number, SnapshotEnvelope>();
  private readonly roomIdJson: string;
  private state: SnapshotState | undefined;
  private current: PackedSnapshot = this.unkept;
  private json: string | undefined;
  // Clients of a room mostly acknowledge the same tick: the last lookup answers most of them.
  private lastAckedTick = Number.NaN;
  private lastEnvelope: SnapshotEnvelope | undefined;

  constructor(
    roomId: string,
    /** The JSON `snapshot` body of a state, for JSON clients. */
    private readonly jsonBody: (state: SnapshotState) => string,
  ) {
    this.envelopes = new SnapshotEnvelopeBuilder(roomId);
    this.roomIdJson = JSON.stringify(roomId);
  }

  /** Starts the round of `state`; `asBaseline`: later rounds may encode deltas against it (streamed snapshots). */
  begin(state: SnapshotState, asBaseline: boolean): void {
    this.state = state;
    // A welcome shares its tick with the last streamed baseline but may hold more entities (the joiner): that
    // baseline is forgotten, so a client acknowledging the tick gets a full snapshot instead of a wrong delta.
    if (!asBaseline) this.history.forget(state.tick);
    this.current = asBaseline ? this.history.add(state) : this.unkept.pack(state);
    this.json = undefined;
    this.byBaseline.clear();
    this.lastAckedTick = Number.NaN;
    this.lastEnvelope = undefined;
  }

  /** The MessagePack frame for a client that acknowledged `ackedTick` (-1: none) and whose inputs up to `ack` are applied. */
  binaryFrame(ackedTick: number, ack: number): Buffer {
    return withAck(this.envelopeFor(ackedTick), ack);
  }

  jsonFrame(ack: number): string {
    this.json ??= this.jsonBody(this.state!);
    return `{"type":"game_snapshot","room_id":${this.roomIdJson},"tick":${this.current.tick},"ack":${ack},"snapshot":${this.json}}`;
  }

  private envelopeFor(ackedTick: number): SnapshotEnvelope {
    if (ackedTick === this.lastAckedTick) return this.lastEnvelope!;
    const base = this.history.get(ackedTick);
    const key = base ? base.tick : -1;
    let envelope = this.byBaseline.get(key);
    if (envelope === undefined) {
      envelope = this.envelopes.build(this.current.tick, base ? base.tick : null, this.encoder.encodeInto(this.current, base));
      this.byBaseline.set(key, envelope);
    }
    this.lastAckedTick = ackedTick;
    this.lastEnvelope = envelope;
    return envelope;
  }
}
