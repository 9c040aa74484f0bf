/**
 * A bot process: runs its share of bots on one shared input timer, and reports stats to the parent every
 * second. Separate processes (not threads) so each has its own file-descriptor budget. The timer serves the
 * bots in phases so one process does not land all its inputs in the same millisecond (real clients are not in step).
 */
import { GameV1Driver } from './gamev1-driver.js';
import { LatencyHistogram } from './histogram.js';
import type { BotDriver, BotEvents, BotProcessConfig, BotSpec, ChildMessage, ParentMessage } from './protocol.js';
import { RawGameV1Driver } from './raw-gamev1-driver.js';

/** Inputs a bot remembers while waiting for their ack: 51 s at 20 Hz, far beyond any bound measured. */
const RING = 1024;
const PHASES = 4;
/** A refused or reset connection is tried again, as a real client would, this many times in all. */
const CONNECT_ATTEMPTS = 5;

class Bot implements BotEvents {
  driver: BotDriver | undefined;
  connected = false;
  private sequence = 0;
  private lastAcked = 0;
  private readonly sentAt = new Float64Array(RING);
  private angle = Math.random() * Math.PI * 2;

  constructor(
    readonly spec: BotSpec,
    private readonly stats: Counters,
  ) {}

  onSnapshot(ack: number, bytes: number): void {
    this.stats.snapshots++;
    this.stats.snapshotBytes += bytes;
    if (ack <= this.lastAcked) return;
    // Each input newly covered by `ack` is served now: one latency sample each, so samples count served inputs.
    const now = performance.now();
    for (let sequence = Math.max(this.lastAcked + 1, this.sequence - RING + 1); sequence <= Math.min(ack, this.sequence); sequence++) {
      this.stats.latency.record(now - this.sentAt[sequence % RING]!);
    }
    this.lastAcked = ack;
  }

  onError(): void {
    this.stats.errors++;
  }

  onClose(): void {
    if (this.connected) this.stats.disconnects++;
    this.connected = false;
  }

  sendInput(): void {
    if (!this.connected || !this.driver) return;
    this.sequence++;
    this.sentAt[this.sequence % RING] = performance.now();
    this.angle += (Math.random() - 0.5) * 0.5;
    const actions = Math.random() < 0.05 ? ['shoot'] : Math.random() < 0.02 ? ['jump'] : [];
    this.driver.sendInput(this.sequence, { x: Math.sin(this.angle), y: 0, z: Math.cos(this.angle) }, actions);
    this.stats.inputs++;
  }
}

interface Counters {
  errors: number;
  retries: number;
  disconnects: number;
  snapshotBytes: number;
  snapshots: number;
  inputs: number;
  latency: LatencyHistogram;
}

type DriverFactory = (spec: BotSpec, events: BotEvents) => BotDriver;
type DriverClass = new (spec: BotSpec, config: BotProcessConfig, events: BotEvents) => BotDriver;

async function loadDriver(config: BotProcessConfig): Promise<DriverFactory> {
  // The floor servers speak GameV1's protocol.
  if (!config.target.startsWith('colyseus')) {
    const Driver = config.driver === 'raw' ? RawGameV1Driver : GameV1Driver;
    return (spec, events) => new Driver(spec, config, events);
  }
  // The peer has its own package.json and dependencies, so it is loaded by path, outside the main type check.
  const peerDriver = '../peers/colyseus/driver.ts';
  const { ColyseusDriver } = (await import(peerDriver)) as { ColyseusDriver: DriverClass };
  return (spec, events) => new ColyseusDriver(spec, config, events);
}

async function run(config: BotProcessConfig): Promise<void> {
  const counters: Counters = { errors: 0, retries: 0, disconnects: 0, snapshotBytes: 0, snapshots: 0, inputs: 0, latency: new LatencyHistogram() };
  const makeDriver = await loadDriver(config);
  const bots = config.bots.map((spec) => new Bot(spec, counters));
  let stopping = false;

  const report = setInterval(() => {
    const stats = {
      connected: bots.filter((bot) => bot.connected).length,
      errors: counters.errors,
      retries: counters.retries,
      disconnects: counters.disconnects,
      snapshotBytes: counters.snapshotBytes,
      snapshots: counters.snapshots,
      inputs: counters.inputs,
      latency: counters.latency.toSparse(),
    };
    counters.snapshotBytes = counters.snapshots = counters.inputs = 0;
    counters.latency.reset();
    send({ type: 'stats', stats });
  }, 1000);

  let phase = 0;
  const inputs = setInterval(() => {
    for (let i = phase; i < bots.length; i += PHASES) bots[i]!.sendInput();
    phase = (phase + 1) % PHASES;
  }, 1000 / config.inputRate / PHASES);

  process.on('message', (message: ParentMessage) => {
    if (message.type !== 'stop') return;
    stopping = true;
    clearInterval(inputs);
    clearInterval(report);
    for (const bot of bots) bot.driver?.close();
    send({ type: 'stopped' });
    setTimeout(() => process.exit(0), 100);
  });

  const connect = async (bot: Bot) => {
    for (let attempt = 1; ; attempt++) {
      const driver = makeDriver(bot.spec, bot);
      bot.driver = driver;
      try {
        await driver.connect();
        bot.connected = true;
        return;
      } catch (error) {
        driver.close();
        if (attempt >= CONNECT_ATTEMPTS || stopping) {
          // The first few reasons are worth seeing; after that only the count matters.
          if (counters.errors++ < 3) console.error(`bot ${bot.spec.name}: ${(error as Error).message}`);
          return;
        }
        counters.retries++;
        await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 1500));
      }
    }
  };
  for (const bot of bots) {
    if (stopping) break;
    void connect(bot);
    if (config.connectSpacingMs > 0) await new Promise((resolve) => setTimeout(resolve, config.connectSpacingMs));
  }
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

process.once('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    run(message.config).catch((error: unknown) => send({ type: 'fatal', message: String(error) }));
  }
});
