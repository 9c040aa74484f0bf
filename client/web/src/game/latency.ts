import type { CloseEventLike, MessageEventLike, WebSocketConstructor, WebSocketLike } from '../../../src/index.js';

/**
 * Simulated network latency for trying the game as a distant player: a WebSocket that holds every send and every
 * received event for `delay.ms` before passing it on. Events keep their order even when the delay changes
 * (each one waits at least until the one before it went).
 */
export class DelayLine {
  ms = 0;
  private last = 0;

  run(task: () => void): void {
    if (this.ms === 0 && this.last <= performance.now()) return task();
    const at = Math.max(performance.now() + this.ms, this.last);
    this.last = at;
    setTimeout(task, at - performance.now());
  }
}

export function delayedWebSocket(delay: { ms: number }): WebSocketConstructor {
  const outgoing = new DelayLine();
  const incoming = new DelayLine();
  const sync = () => {
    outgoing.ms = delay.ms;
    incoming.ms = delay.ms;
  };
  return class DelayedWebSocket implements WebSocketLike {
    private readonly socket: WebSocket;
    onopen: WebSocketLike['onopen'] = null;
    onmessage: WebSocketLike['onmessage'] = null;
    onclose: WebSocketLike['onclose'] = null;
    onerror: WebSocketLike['onerror'] = null;

    constructor(url: string, protocols?: string | string[]) {
      this.socket = new WebSocket(url, protocols);
      const later = (deliver: () => void) => {
        sync();
        incoming.run(deliver);
      };
      this.socket.onopen = (event) => later(() => this.onopen?.(event));
      this.socket.onmessage = (event: MessageEventLike) => later(() => this.onmessage?.(event));
      this.socket.onclose = (event: CloseEventLike) => later(() => this.onclose?.({ code: event.code, reason: event.reason }));
      this.socket.onerror = (event) => later(() => this.onerror?.(event));
    }

    get binaryType(): string {
      return this.socket.binaryType;
    }

    set binaryType(value: string) {
      this.socket.binaryType = value as BinaryType;
    }

    get readyState(): number {
      return this.socket.readyState;
    }

    send(data: string | Uint8Array): void {
      sync();
      outgoing.run(() => {
        if (this.socket.readyState === WebSocket.OPEN) this.socket.send(data as string | ArrayBufferView<ArrayBuffer>);
      });
    }

    close(code?: number, reason?: string): void {
      this.socket.close(code, reason);
    }
  };
}
