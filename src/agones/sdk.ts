import sdkPackage from '@google-cloud/agones-sdk';
import type { AgonesSDK as SdkClient } from '@google-cloud/agones-sdk/src/agonesSDK.js';

// The package is CommonJS (`module.exports = AgonesSDK`) but typed as `export default`: the default import is the class.
const AgonesSDK = sdkPackage as unknown as typeof SdkClient;

/** The calls GameV1 makes to the Agones sidecar; the lifecycle depends on this, never on the SDK package. */
export interface AgonesSdk {
  /** Resolves once the sidecar answers; rejects when it has not within `timeoutMs`. */
  connect(timeoutMs: number): Promise<void>;
  /** This process serves: Agones may allocate it. */
  ready(): Promise<void>;
  /** One health ping; `onError` hears a ping that could not be sent. */
  health(onError: (error: unknown) => void): void;
  /** Where players reach this GameServer: its status address and the host port of its port `portName`. */
  address(portName: string): Promise<{ host: string; port: number } | undefined>;
  /** Sets the GameServer label `agones.dev/sdk-<key>`. */
  setLabel(key: string, value: string): Promise<void>;
  /** This process is done: Agones deletes the GameServer (a Fleet starts a fresh one). */
  shutdown(): Promise<void>;
  /** Drops the connection to the sidecar. */
  close(): void;
}

/** The part of the SDK's gRPC client that `connect` needs. */
interface SidecarClient {
  waitForReady(deadline: number, callback: (error?: Error) => void): void;
}

/**
 * The real sidecar, over `@google-cloud/agones-sdk`, which dials 127.0.0.1:AGONES_SDK_GRPC_PORT (default 9357).
 * `connect` calls the SDK's gRPC client directly: the SDK's own `connect()` waits a fixed 30 s, and closing it
 * before then leaves grpc-js re-dialling under a 30 s timer that keeps the process alive.
 */
export class SidecarSdk implements AgonesSdk {
  private readonly sdk = new AgonesSDK();

  connect(timeoutMs: number): Promise<void> {
    const client = (this.sdk as unknown as { client: SidecarClient }).client;
    return new Promise((resolve, reject) =>
      client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
    );
  }

  async ready(): Promise<void> {
    await this.sdk.ready();
  }

  health(onError: (error: unknown) => void): void {
    this.sdk.health(onError);
  }

  async address(portName: string): Promise<{ host: string; port: number } | undefined> {
    const { status } = await this.sdk.getGameServer();
    const port = status.portsList.find((entry) => entry.name === portName) ?? status.portsList[0];
    return status.address && port ? { host: status.address, port: port.port } : undefined;
  }

  async setLabel(key: string, value: string): Promise<void> {
    await this.sdk.setLabel(key, value);
  }

  async shutdown(): Promise<void> {
    await this.sdk.shutdown();
  }

  close(): void {
    this.sdk.close();
  }
}
