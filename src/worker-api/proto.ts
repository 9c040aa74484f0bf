import { fileURLToPath } from 'node:url';
import type { MethodDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { WorkerRequests, type WorkerRequest, type WorkerResponses, type WorkerRpc } from './types.js';

/** src/worker-api and dist/worker-api both sit two levels below the repository root, where proto/ is. */
const PROTO_FILE = fileURLToPath(new URL('../../proto/worker.proto', import.meta.url));
const SERVICE = 'gamev1.worker.v1.Worker';

export type WorkerMethods = { [R in WorkerRpc]: MethodDefinition<WorkerRequest<R>, WorkerResponses[R]> };

/**
 * The Worker service from proto/worker.proto, loaded at run time. Objects keep the proto's snake_case names;
 * `defaults` fills in the zeros and empty strings proto3 leaves off the wire (an absent message stays null,
 * an absent `optional` field stays absent), and uint64 fields arrive as numbers.
 */
export function workerService(): WorkerMethods {
  const service = loadSync(PROTO_FILE, { keepCase: true, longs: Number, enums: String, defaults: true })[SERVICE];
  const missing = Object.keys(WorkerRequests).filter((rpc) => !service || !Object.hasOwn(service, rpc));
  if (missing.length > 0) throw new Error(`${PROTO_FILE} does not declare ${SERVICE}.${missing.join(', ')}`);
  // Checked above: the service has every RPC; their message shapes are what types.ts mirrors.
  return service as unknown as WorkerMethods;
}
