import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AGONES_CONNECT_TIMEOUT_MS, AGONES_HEALTH_INTERVAL_MS, AgonesLifecycle, type AgonesSdk } from '../src/agones/index.js';

/** Records every call in order; `fail` names the calls that reject (or, for health, report an error). */
class FakeSdk implements AgonesSdk {
  readonly calls: string[] = [];
  readonly fail = new Set<string>();
  /** What the GameServer's status says of its address and the `ws` port. */
  gameServer: { host: string; port: number } | undefined = { host: '203.0.113.7', port: 7042 };

  private settle(call: string): Promise<void> {
    this.calls.push(call);
    return this.fail.has(call.split(' ')[0]!) ? Promise.reject(new Error(`${call} failed`)) : Promise.resolve();
  }
  connect(timeoutMs: number) {
    return this.settle(`connect ${timeoutMs}`);
  }
  ready() {
    return this.settle('ready');
  }
  health(onError: (error: unknown) => void) {
    this.calls.push('health');
    if (this.fail.has('health')) onError(new Error('stream closed'));
  }
  async address(portName: string) {
    await this.settle(`address ${portName}`);
    return this.gameServer;
  }
  setLabel(key: string, value: string) {
    return this.settle(`setLabel ${key}=${value}`);
  }
  shutdown() {
    return this.settle('shutdown');
  }
  close() {
    this.calls.push('close');
  }
  count(call: string) {
    return this.calls.filter((made) => made === call).length;
  }
}

function setup() {
  const sdk = new FakeSdk();
  const logs: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as { level: number; msg: string }) });
  const clock = { now: 1_000, rooms: 0 };
  const lifecycle = new AgonesLifecycle(sdk, { logger, now: () => clock.now, rooms: () => clock.rooms });
  return { sdk, logs, clock, lifecycle };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('AgonesLifecycle', () => {
  it('connects with the timeout, then marks the GameServer Ready', async () => {
    const { sdk, logs, lifecycle } = setup();
    lifecycle.observeTick(); // before start: nothing is sent
    await lifecycle.start();
    expect(sdk.calls).toEqual([`connect ${AGONES_CONNECT_TIMEOUT_MS}`, 'ready', 'address ws']);
    expect(logs.map((log) => log.msg)).toContain('agones: GameServer is Ready');
    // Players sent to this process connect to the GameServer's address and host port.
    expect(lifecycle.publicUrl).toBe('http://203.0.113.7:7042');
  });

  it('announces no address of its own when Agones gives none or cannot be asked, and brackets IPv6', async () => {
    const none = setup();
    none.sdk.gameServer = undefined;
    await none.lifecycle.start();
    expect(none.lifecycle.publicUrl).toBeUndefined();
    const failing = setup();
    failing.sdk.fail.add('address');
    await failing.lifecycle.start();
    expect(failing.lifecycle.publicUrl).toBeUndefined();
    expect(failing.logs).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringContaining('reading the GameServer address failed') }));
    const v6 = setup();
    v6.sdk.gameServer = { host: '2001:db8::7', port: 7100 };
    await v6.lifecycle.start();
    expect(v6.lifecycle.publicUrl).toBe('http://[2001:db8::7]:7100');
  });

  it('without a sidecar logs an error, closes the SDK and runs on without pings or shutdown', async () => {
    const { sdk, logs, lifecycle } = setup();
    sdk.fail.add('connect');
    await lifecycle.start();
    expect(sdk.calls).toEqual([`connect ${AGONES_CONNECT_TIMEOUT_MS}`, 'close']);
    expect(logs).toContainEqual(expect.objectContaining({ level: 50, msg: expect.stringContaining('running without Agones') }));
    lifecycle.observeTick();
    await lifecycle.stop();
    expect(sdk.calls).toEqual([`connect ${AGONES_CONNECT_TIMEOUT_MS}`, 'close']);
  });

  it('pings health from the ticks at most once per interval, and not at all while no tick comes', async () => {
    const { sdk, clock, lifecycle } = setup();
    await lifecycle.start();
    lifecycle.observeTick();
    expect(sdk.count('health')).toBe(1);
    clock.now += AGONES_HEALTH_INTERVAL_MS - 1;
    lifecycle.observeTick();
    expect(sdk.count('health')).toBe(1);
    clock.now += 1;
    lifecycle.observeTick();
    expect(sdk.count('health')).toBe(2);
    // A stuck loop calls observeTick no more: the pings stop, and Agones marks the GameServer Unhealthy.
    clock.now += 10 * AGONES_HEALTH_INTERVAL_MS;
    expect(sdk.count('health')).toBe(2);
  });

  it('warns once when health pings fail', async () => {
    const { sdk, logs, clock, lifecycle } = setup();
    sdk.fail.add('health');
    await lifecycle.start();
    for (let i = 0; i < 3; i++, clock.now += AGONES_HEALTH_INTERVAL_MS) lifecycle.observeTick();
    expect(sdk.count('health')).toBe(3);
    expect(logs.filter((log) => log.msg === 'agones: a health ping failed')).toHaveLength(1);
  });

  it('labels the room count when it changes, and retries a failed label at the next ping', async () => {
    const { sdk, logs, clock, lifecycle } = setup();
    await lifecycle.start();
    const ping = async () => {
      lifecycle.observeTick();
      clock.now += AGONES_HEALTH_INTERVAL_MS;
      await flush();
    };
    await ping();
    await ping();
    clock.rooms = 3;
    sdk.fail.add('setLabel');
    await ping();
    await ping();
    sdk.fail.delete('setLabel');
    await ping();
    await ping();
    expect(sdk.calls.filter((call) => call.startsWith('setLabel'))).toEqual(['setLabel rooms=0', 'setLabel rooms=3', 'setLabel rooms=3', 'setLabel rooms=3']);
    expect(logs.filter((log) => log.msg === 'agones: publishing the room count failed')).toHaveLength(1);
  });

  it('shuts the GameServer down and closes the SDK on stop, once', async () => {
    const { sdk, lifecycle } = setup();
    await lifecycle.start();
    await lifecycle.stop();
    await lifecycle.stop();
    expect(sdk.calls).toEqual([`connect ${AGONES_CONNECT_TIMEOUT_MS}`, 'ready', 'address ws', 'shutdown', 'close']);
    lifecycle.observeTick();
    expect(sdk.count('health')).toBe(0);
  });

  it('still closes the SDK when shutdown fails', async () => {
    const { sdk, logs, lifecycle } = setup();
    sdk.fail.add('shutdown');
    await lifecycle.start();
    await lifecycle.stop();
    expect(sdk.calls.slice(-2)).toEqual(['shutdown', 'close']);
    expect(logs.map((log) => log.msg)).toContain('agones: shutdown failed');
  });
});
