import { Server, ServerCredentials, type UntypedServiceImplementation, type handleUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { Compile } from 'typebox/compile';
import type { HostPort } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { statusFor } from './errors.js';
import { workerService } from './proto.js';
import { WorkerService, type WorkerServiceDeps } from './service.js';
import { WorkerRequests, type WorkerApi, type WorkerRequest, type WorkerResponses, type WorkerRpc } from './types.js';

/** How long close() lets calls in flight finish before cutting them off. */
const CLOSE_GRACE_MS = 2_000;

const RPCS = Object.keys(WorkerRequests) as WorkerRpc[];
const validators = Object.fromEntries(RPCS.map((rpc) => [rpc, Compile(WorkerRequests[rpc])])) as Record<WorkerRpc, ReturnType<typeof Compile>>;

/** A decoded request, checked against its schema: a bad one is refused with INVALID_ARGUMENT naming the field. */
function validated<R extends WorkerRpc>(rpc: R, request: unknown): WorkerRequest<R> {
  const validator = validators[rpc];
  if (!validator.Check(request)) {
    const [first] = validator.Errors(request);
    throw new AppError('invalid', 'validation_error', `invalid ${rpc} request: ${first?.instancePath || '/'} ${first?.message ?? 'does not match the schema'}`);
  }
  return request as WorkerRequest<R>;
}

const ROUTES: { [R in WorkerRpc]: (api: WorkerApi, request: WorkerRequest<R>) => Promise<WorkerResponses[R]> } = {
  CreateRoom: (api, request) => api.createRoom(request),
  RemoveRoom: (api, request) => api.removeRoom(request),
  JoinRoom: (api, request) => api.joinRoom(request),
  LeaveRoom: (api, request) => api.leaveRoom(request),
  PushInput: (api, request) => api.pushInput(request),
  GetRoomSnapshot: (api, request) => api.getRoomSnapshot(request),
  ListRooms: (api, request) => api.listRooms(request),
  Health: (api) => api.health(),
  Drain: (api) => api.drain(),
  ReportLoad: (api) => api.reportLoad(),
};

function implementation(api: WorkerApi, logger: Logger): UntypedServiceImplementation {
  const unary =
    <R extends WorkerRpc>(rpc: R): handleUnaryCall<unknown, WorkerResponses[R]> =>
    (call, callback) => {
      Promise.resolve()
        .then(() => ROUTES[rpc](api, validated(rpc, call.request)))
        .then(
          (response) => callback(null, response),
          (error: unknown) => {
            if (!(error instanceof AppError)) logger.error({ err: error, rpc }, 'worker API call failed');
            callback(statusFor(error));
          },
        );
    };
  return Object.fromEntries(RPCS.map((rpc) => [rpc, unary(rpc)]));
}

const addressText = ({ host, port }: HostPort) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** The gRPC Worker API of this process (proto/worker.proto): a thin adapter over WorkerService. */
export class WorkerApiServer {
  private constructor(
    private readonly server: Server,
    private readonly service: WorkerService,
    /** host:port it is bound to (the actual port when asked for port 0). */
    readonly address: string,
  ) {}

  static async start(bind: HostPort, deps: WorkerServiceDeps & { logger: Logger }): Promise<WorkerApiServer> {
    const service = new WorkerService(deps);
    const server = new Server();
    server.addService(workerService(), implementation(service, deps.logger));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(addressText(bind), ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    const address = addressText({ host: bind.host, port });
    deps.logger.info({ address }, `worker API (gRPC) listening on ${address}`);
    return new WorkerApiServer(server, service, address);
  }

  /** Says NOT_SERVING, refuses new calls, and lets those in flight finish (for CLOSE_GRACE_MS at most). */
  close(): Promise<void> {
    this.service.stopServing();
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, CLOSE_GRACE_MS);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
