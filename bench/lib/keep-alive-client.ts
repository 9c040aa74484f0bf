import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface TimedReply {
  status: number;
  body: string;
  /** From sending the request to the end of the response body. */
  ms: number;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
}

/**
 * HTTP/1.1 requests on reused connections (node:http with a keep-alive agent, lighter per request than
 * fetch), so a latency sample is the server's answer, not a TCP handshake.
 */
export class KeepAliveClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    /** Connections held open: at least the number of requests in flight at once. */
    connections: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  send(method: string, path: string, options: RequestOptions = {}): Promise<TimedReply> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {};
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(this.baseUrl + path, { method, agent: this.agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The parsed body of a 2xx answer; anything else throws with the answer's text. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const reply = await this.send(method, path, options);
    if (reply.status < 200 || reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.body}`);
    return JSON.parse(reply.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
