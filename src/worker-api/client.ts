import { Client, credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { fromServiceError } from './errors.js';
import { workerService, type WorkerMethods } from './proto.js';
import type {
  CreateRoomRequest,
  GetRoomSnapshotRequest,
  ListRoomsRequest,
  PushInputRequest,
  RemoveRoomRequest,
  SeatRequest,
  WorkerApi,
  WorkerRequest,
  WorkerResponses,
  WorkerRpc,
} from './types.js';

export interface WorkerClientOptions {
  /** Milliseconds a call may take; later it fails with DEADLINE_EXCEEDED (category unavailable). Default 5000. */
  timeoutMs?: number;
  /** Default: plaintext, for a private network. */
  credentials?: ChannelCredentials;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * The Worker API of one GameV1 process, over gRPC (for the gateway side). Each method resolves with the
 * response or rejects with a WorkerCallError: an AppError with the server's category and code.
 */
export class WorkerClient implements WorkerApi {
  private readonly client: Client;
  private readonly methods: WorkerMethods = workerService();
  private readonly timeoutMs: number;

  /** `address`: host:port, e.g. the process's WORKER_GRPC_ADDR. */
  constructor(address: string, options: WorkerClientOptions = {}) {
    this.client = new Client(address, options.credentials ?? credentials.createInsecure());
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  createRoom(request: CreateRoomRequest) {
    return this.call('CreateRoom', request);
  }

  removeRoom(request: RemoveRoomRequest) {
    return this.call('RemoveRoom', request);
  }

  joinRoom(request: SeatRequest) {
    return this.call('JoinRoom', request);
  }

  leaveRoom(request: SeatRequest) {
    return this.call('LeaveRoom', request);
  }

  pushInput(request: PushInputRequest) {
    return this.call('PushInput', request);
  }

  getRoomSnapshot(request: GetRoomSnapshotRequest) {
    return this.call('GetRoomSnapshot', request);
  }

  listRooms(request: ListRoomsRequest) {
    return this.call('ListRooms', request);
  }

  health() {
    return this.call('Health', {});
  }

  drain() {
    return this.call('Drain', {});
  }

  reportLoad() {
    return this.call('ReportLoad', {});
  }

  /** Closes the channel; calls after this fail. */
  close(): void {
    this.client.close();
  }

  private call<R extends WorkerRpc>(rpc: R, request: WorkerRequest<R>): Promise<WorkerResponses[R]> {
    const method = this.methods[rpc];
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        { deadline: Date.now() + this.timeoutMs },
        (error, response) => (error ? reject(fromServiceError(error)) : resolve(response!)),
      );
    });
  }
}

/** One client per Worker API address, made on first use, for a gateway that reaches many nodes. */
export class WorkerClients {
  private readonly clients = new Map<string, WorkerClient>();

  constructor(private readonly options: WorkerClientOptions = {}) {}

  at(address: string): WorkerClient {
    let client = this.clients.get(address);
    if (!client) this.clients.set(address, (client = new WorkerClient(address, this.options)));
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
