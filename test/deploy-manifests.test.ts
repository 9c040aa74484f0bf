/**
 * Offline validation of deploy/k8s/*.yaml (no cluster, no kubeconform): core kinds against kubernetes-models'
 * schemas, the Agones kinds against a TypeBox schema of the fields we use, and cross-checks between the files and
 * the code (settings, gateway Service, webhook route, health interval).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ConfigMap, Namespace, PodTemplateSpec, Secret, Service } from 'kubernetes-models/v1';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGONES_HEALTH_INTERVAL_MS } from '../src/agones/index.js';
import { SETTINGS } from '../src/config/settings.js';
import { startTestServer, type TestServer } from './support/server.js';

const dir = new URL('../deploy/k8s/', import.meta.url);

interface Manifest {
  file: string;
  doc: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;
}

const manifests: Manifest[] = readdirSync(dir)
  .filter((file) => file.endsWith('.yaml'))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(new URL(file, dir), 'utf8')).map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map(String).join('; ')}`);
      return { file, doc: document.toJS() as Manifest['doc'] };
    }),
  );

/** A kubernetes-models class: `validate()` throws on a schema violation. */
type CoreModel = new (data: never) => { validate(): void };

function modelProblems(Model: CoreModel, data: unknown): string[] {
  try {
    new Model(data as never).validate();
    return [];
  } catch (error) {
    return [String(error)];
  }
}

const closed = { additionalProperties: false } as const;
const Name = Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' });
const Labels = Type.Record(Type.String(), Type.String());
const Metadata = Type.Object({ name: Name, namespace: Name, labels: Type.Optional(Labels) }, closed);
const IntOrPercent = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^\\d+%$' })]);
const Literals = (...values: string[]) => Type.Union(values.map((value) => Type.Literal(value)));

/** The Fleet fields worker-fleet.yaml uses (agones.dev/v1); the pod template is checked by kubernetes-models. */
const Fleet = Type.Object(
  {
    apiVersion: Type.Literal('agones.dev/v1'),
    kind: Type.Literal('Fleet'),
    metadata: Metadata,
    spec: Type.Object(
      {
        replicas: Type.Integer({ minimum: 0 }),
        scheduling: Literals('Packed', 'Distributed'),
        strategy: Type.Object(
          {
            type: Literals('RollingUpdate', 'Recreate'),
            rollingUpdate: Type.Optional(Type.Object({ maxSurge: IntOrPercent, maxUnavailable: IntOrPercent }, closed)),
          },
          closed,
        ),
        template: Type.Object(
          {
            metadata: Type.Optional(Type.Object({ labels: Labels }, closed)),
            spec: Type.Object(
              {
                ports: Type.Array(
                  Type.Object(
                    {
                      name: Type.String({ minLength: 1 }),
                      portPolicy: Literals('Dynamic', 'Static', 'Passthrough', 'None'),
                      containerPort: Type.Integer({ minimum: 1, maximum: 65535 }),
                      protocol: Literals('TCP', 'UDP', 'TCPUDP'),
                    },
                    closed,
                  ),
                  { minItems: 1 },
                ),
                health: Type.Object(
                  {
                    initialDelaySeconds: Type.Integer({ minimum: 0 }),
                    periodSeconds: Type.Integer({ minimum: 1 }),
                    failureThreshold: Type.Integer({ minimum: 1 }),
                  },
                  closed,
                ),
                template: Type.Object({}),
              },
              closed,
            ),
          },
          closed,
        ),
      },
      closed,
    ),
  },
  closed,
);
type Fleet = Static<typeof Fleet>;

/** The FleetAutoscaler fields fleet-autoscaler.yaml uses (autoscaling.agones.dev/v1), Webhook policy only. */
const FleetAutoscaler = Type.Object(
  {
    apiVersion: Type.Literal('autoscaling.agones.dev/v1'),
    kind: Type.Literal('FleetAutoscaler'),
    metadata: Metadata,
    spec: Type.Object(
      {
        fleetName: Name,
        policy: Type.Object(
          {
            type: Type.Literal('Webhook'),
            webhook: Type.Object(
              {
                service: Type.Object(
                  { name: Name, namespace: Name, port: Type.Integer({ minimum: 1, maximum: 65535 }), path: Type.String({ pattern: '^/' }) },
                  closed,
                ),
              },
              closed,
            ),
          },
          closed,
        ),
        sync: Type.Object(
          { type: Type.Literal('FixedInterval'), fixedInterval: Type.Object({ seconds: Type.Integer({ minimum: 1 }) }, closed) },
          closed,
        ),
      },
      closed,
    ),
  },
  closed,
);
type FleetAutoscaler = Static<typeof FleetAutoscaler>;

function schemaProblems(schema: TSchema, data: unknown): string[] {
  return [...Value.Errors(schema, data)].map((error) => `${error.instancePath} ${error.message}`);
}

const VALIDATORS: Record<string, (doc: unknown) => string[]> = {
  'v1/Namespace': (doc) => modelProblems(Namespace, doc),
  'v1/ConfigMap': (doc) => modelProblems(ConfigMap, doc),
  'v1/Secret': (doc) => modelProblems(Secret, doc),
  'v1/Service': (doc) => modelProblems(Service, doc),
  'apps/v1/Deployment': (doc) => modelProblems(Deployment, doc),
  'autoscaling/v2/HorizontalPodAutoscaler': (doc) => modelProblems(HorizontalPodAutoscaler, doc),
  'agones.dev/v1/Fleet': (doc) => {
    const problems = schemaProblems(Fleet, doc);
    return problems.length > 0 ? problems : modelProblems(PodTemplateSpec, (doc as Fleet).spec.template.spec.template);
  },
  'autoscaling.agones.dev/v1/FleetAutoscaler': (doc) => schemaProblems(FleetAutoscaler, doc),
};

function problemsOf(doc: Manifest['doc']): string[] {
  const validate = VALIDATORS[`${doc.apiVersion}/${doc.kind}`];
  return validate ? validate(doc) : [`no validator for ${doc.apiVersion} ${doc.kind}`];
}

function only<T>(kind: string): T {
  const found = manifests.filter(({ doc }) => doc.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!.doc as T;
}

type Container = { image: string; env?: { name: string }[] };
const deployment = () => only<{ spec: { template: { spec: { containers: Container[] } } } }>('Deployment');
const fleet = () => only<Fleet & { spec: { template: { spec: { template: { spec: { containers: Container[] } } } } } }>('Fleet');
const service = () => only<{ metadata: { name: string; namespace: string }; spec: { ports: { port: number }[] } }>('Service');

/** Variables Node itself reads, not GameV1 settings. */
// NODE_OPTIONS is Node's own; POD_IP only feeds $(POD_IP) in WORKER_GRPC_ADDR.
const RUNTIME_ENV = new Set(['NODE_OPTIONS', 'POD_IP']);
const SETTING_ENV = new Set(Object.values(SETTINGS).flatMap((group) => Object.values(group).map((setting: { env: string }) => setting.env)));

/** The containers of a Deployment's pod template, or of a Fleet's GameServer pod template. */
function containersOf(doc: Manifest['doc']): Container[] {
  type PodTemplate = { spec: { containers: Container[] } };
  const template = (doc as { spec?: { template?: PodTemplate | { spec: { template: PodTemplate } } } }).spec?.template;
  if (!template) return [];
  return 'containers' in template.spec ? template.spec.containers : template.spec.template.spec.containers;
}

/** Every env key the manifests set (ConfigMap and Secret data, container env) that is no GameV1 setting. */
function unknownEnvKeys(docs: Manifest['doc'][]): string[] {
  const keys = docs.flatMap((doc) => {
    if (doc.kind === 'ConfigMap') return Object.keys(doc.data as object);
    if (doc.kind === 'Secret') return Object.keys(doc.stringData as object);
    return containersOf(doc).flatMap((container) => (container.env ?? []).map((env) => env.name));
  });
  return keys.filter((key) => !SETTING_ENV.has(key) && !RUNTIME_ENV.has(key));
}

const clone = <T>(value: T): T => structuredClone(value);

describe('deploy/k8s manifests', () => {
  it('parse, and cover every kind we ship', () => {
    expect(manifests.map(({ doc }) => doc.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'Fleet', 'FleetAutoscaler', 'HorizontalPodAutoscaler', 'Namespace', 'Secret', 'Service'].sort(),
    );
  });

  it.each(manifests.map((manifest) => [manifest.file, manifest] as const))('%s is valid', (_file, { doc }) => {
    expect(problemsOf(doc)).toEqual([]);
  });

  it('all live in the one namespace', () => {
    const namespace = only<{ metadata: { name: string } }>('Namespace').metadata.name;
    for (const { file, doc } of manifests.filter(({ doc }) => doc.kind !== 'Namespace')) expect(doc.metadata.namespace, file).toBe(namespace);
  });

  it('set only real GameV1 settings', () => {
    expect(unknownEnvKeys(manifests.map(({ doc }) => doc))).toEqual([]);
  });

  it('run the same image for the gateway and the Fleet, the gateway as ROLE=gateway, the Fleet as workers with AGONES on', () => {
    const worker = fleet().spec.template.spec.template.spec.containers;
    const gateway = deployment().spec.template.spec.containers;
    expect(worker.map((container) => container.image)).toEqual(gateway.map((container) => container.image));
    expect(worker[0]!.env).toContainEqual({ name: 'AGONES', value: 'true' });
    expect(worker[0]!.env).toContainEqual({ name: 'ROLE', value: 'worker' });
    // The Worker API at the pod's address (reachable in the cluster), POD_IP declared before it is expanded.
    const env = worker[0]!.env!.map((entry) => entry.name);
    expect(worker[0]!.env).toContainEqual({ name: 'WORKER_GRPC_ADDR', value: '$(POD_IP):50051' });
    expect(env.indexOf('POD_IP')).toBeLessThan(env.indexOf('WORKER_GRPC_ADDR'));
    expect(env).not.toContain('PUBLIC_URL');
    expect(gateway[0]!.env).toContainEqual({ name: 'ROLE', value: 'gateway' });
  });

  it('give Agones at least two health pings per health period', () => {
    const { health } = fleet().spec.template.spec;
    expect(health.periodSeconds * 1000).toBeGreaterThanOrEqual(2 * AGONES_HEALTH_INTERVAL_MS);
  });

  describe('the FleetAutoscaler webhook', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server?.stop());

    it('scales the Fleet through the gateway Service and a route the gateway answers', async () => {
      const autoscaler = only<FleetAutoscaler>('FleetAutoscaler');
      expect(autoscaler.spec.fleetName).toBe(fleet().metadata.name);
      const { webhook } = autoscaler.spec.policy;
      expect(webhook.service).toMatchObject({ name: service().metadata.name, namespace: service().metadata.namespace });
      expect(service().spec.ports.map((port) => port.port)).toContain(webhook.service.port);
      const review = { request: { uid: 'u1', name: autoscaler.spec.fleetName, namespace: autoscaler.metadata.namespace, status: { replicas: 4, allocatedReplicas: 2 } } };
      const res = await server.call('POST', webhook.service.path, { body: review });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ response: { uid: 'u1', scale: expect.any(Boolean), replicas: expect.any(Number) } });
    });
  });

  it('reject broken manifests (the validators bite)', () => {
    const badDeployment = clone(only<Manifest['doc']>('Deployment'));
    (badDeployment.spec as { replicas: unknown }).replicas = 'three';
    expect(problemsOf(badDeployment).join()).toMatch(/replicas must be integer/);

    const badFleet = clone(fleet());
    (badFleet.spec.template.spec.health as { periodSeconds: unknown }).periodSeconds = '5';
    (badFleet.spec as { scheduling: unknown }).scheduling = 'Loose';
    expect(problemsOf(badFleet as unknown as Manifest['doc']).length).toBeGreaterThanOrEqual(2);

    const badPod = clone(fleet());
    (badPod.spec.template.spec.template.spec.containers[0] as { image: unknown }).image = 42;
    expect(problemsOf(badPod as unknown as Manifest['doc']).join()).toMatch(/image must be string/);
    badPod.spec.template.spec.template.spec.containers[0]!.env!.push({ name: 'AGONE' });
    expect(unknownEnvKeys([badPod as unknown as Manifest['doc']])).toEqual(['AGONE']);

    const badAutoscaler = clone(only<FleetAutoscaler>('FleetAutoscaler'));
    (badAutoscaler.spec.policy as { type: unknown }).type = 'Buffer';
    (badAutoscaler.spec.policy.webhook.service as { pth?: string }).pth = '/typo';
    expect(problemsOf(badAutoscaler as unknown as Manifest['doc']).length).toBeGreaterThanOrEqual(2);

    const badConfig = clone(only<Manifest['doc']>('ConfigMap'));
    (badConfig.data as Record<string, string>).MAX_CONECTIONS = '10';
    expect(unknownEnvKeys([badConfig])).toEqual(['MAX_CONECTIONS']);
  });
});
