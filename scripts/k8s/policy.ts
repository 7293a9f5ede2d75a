/**
 * What the schemas cannot say about a rendered overlay: the rules of issue 6 and the mesh's
 * wiring. Every mesh process has its Deployment (hardened pod, gRPC probes on its gRPC port,
 * a `metrics` port, requests and limits), calls exactly the services its config.ts reads a
 * *_GRPC_ADDRESS for, through a Service and (when the overlay has NetworkPolicies) an allowed
 * flow both ways; secrets come only from Secrets; the KafkaTopics are allTopics(); images are
 * pinned; ServiceMonitors, HPAs and PDBs point at something that exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopicSpec } from '@voltmesh/kafka';
import { describeObject, type K8sObject, type Violation } from './validate.js';

export interface MeshProcess {
  readonly name: string;
  readonly entry: string;
}

export interface PolicyOptions {
  processes: readonly MeshProcess[];
  topics: readonly TopicSpec[];
  /** Process name → the *_GRPC_ADDRESS variables its config reads. */
  grpcAddressVars: ReadonlyMap<string, ReadonlySet<string>>;
  /** Whether the overlay may render a Secret (dev generates one; prod expects an external one). */
  allowSecrets: boolean;
}

const SECRET_VARS = ['ADMIN_TOKEN', 'TOKEN_ENCRYPTION_KEY'];
const METRICS_PORT = 9464;

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are schema-validated before these reads */
type Any = any;

/** The *_GRPC_ADDRESS variables each process's config.ts reads (the dispatcher's from its own block). */
export function readGrpcAddressVars(root: string, processes: readonly MeshProcess[]): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const process of processes) {
    const serviceDir = process.entry.split('/src/')[0]!;
    const text = readFileSync(join(root, serviceDir, 'src/config.ts'), 'utf8');
    let block = text;
    if (text.includes('const dispatcherEnv')) {
      const [gateway = '', dispatcher = ''] = text.split('const dispatcherEnv');
      block = process.entry.endsWith('dispatcher-main.ts') ? dispatcher : gateway;
    } else if (process.entry.endsWith('dispatcher-main.ts')) {
      throw new Error(`${serviceDir}/src/config.ts: no dispatcherEnv block found for ${process.name}`);
    }
    result.set(process.name, new Set([...block.matchAll(/\b([A-Z]+_GRPC_ADDRESS)\b/g)].map((match) => match[1]!)));
  }
  return result;
}

const named = (objects: readonly K8sObject[], kind: string): Map<string, Any> =>
  new Map(objects.filter((object) => object.kind === kind).map((object) => [(object.metadata as Any)?.name as string, object as Any]));

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

/** Whether a NetworkPolicy peer list (from/to) admits a pod with these labels in the same namespace. */
function peerAdmits(peers: Any[] | undefined, labels: Record<string, string>): boolean {
  if (peers === undefined || peers.length === 0) return true;
  return peers.some((peer: Any) => {
    if (peer.namespaceSelector !== undefined || peer.ipBlock !== undefined || peer.podSelector === undefined) return false;
    const { matchLabels = {}, matchExpressions = [] } = peer.podSelector as { matchLabels?: Record<string, string>; matchExpressions?: Any[] };
    return (
      Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
      matchExpressions.every((expression: Any) => expression.operator === 'In' && (expression.values as string[]).includes(labels[expression.key] ?? ''))
    );
  });
}

function portAdmits(ports: Any[] | undefined, port: number, portName: string | undefined): boolean {
  return ports === undefined || ports.length === 0 || ports.some((entry: Any) => entry.port === port || (portName !== undefined && entry.port === portName));
}

export function checkPolicy(objects: readonly K8sObject[], options: PolicyOptions): Violation[] {
  const violations: Violation[] = [];
  const fail = (object: K8sObject | string, field: string, message: string): void => {
    violations.push({ object: typeof object === 'string' ? object : describeObject(object), field, message });
  };
  const deployments = named(objects, 'Deployment');
  const services = named(objects, 'Service');
  const policies = objects.filter((object) => object.kind === 'NetworkPolicy') as Any[];
  const grpcPortOf = new Map<string, number>();

  for (const process of options.processes) {
    const deployment = deployments.get(process.name);
    if (!deployment) {
      fail(`Deployment ${process.name}`, '/', `mesh process ${process.name} has no Deployment`);
      continue;
    }
    const pod = deployment.spec.template.spec;
    const container = pod.containers?.[0] ?? {};
    const at = (path: string): string => `/spec/template/spec/${path}`;
    // deploy/Dockerfile: one image per service package, the package itself in the working directory.
    const [, servicePackage = '', entry = ''] = /^services\/([^/]+)\/(.+)$/.exec(process.entry) ?? [];
    const command = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
    if (command !== `node --import tsx ${entry}`) fail(deployment, at('containers/0/command'), `must run node --import tsx ${entry}`);
    const image = String(container.image).split('@')[0]!;
    const imageName = image.slice(image.lastIndexOf('/') + 1).split(':')[0];
    if (imageName !== servicePackage) fail(deployment, at('containers/0/image'), `must be the ${servicePackage} image`);
    const podSecurity = pod.securityContext ?? {};
    if (podSecurity.runAsNonRoot !== true) fail(deployment, at('securityContext/runAsNonRoot'), 'must be true');
    if (podSecurity.runAsUser !== 10001) fail(deployment, at('securityContext/runAsUser'), 'must be 10001');
    if (podSecurity.seccompProfile?.type !== 'RuntimeDefault') fail(deployment, at('securityContext/seccompProfile/type'), 'must be RuntimeDefault');
    if (pod.automountServiceAccountToken !== false) fail(deployment, at('automountServiceAccountToken'), 'must be false');
    const security = container.securityContext ?? {};
    if (security.allowPrivilegeEscalation !== false) fail(deployment, at('containers/0/securityContext/allowPrivilegeEscalation'), 'must be false');
    if (security.readOnlyRootFilesystem !== true) fail(deployment, at('containers/0/securityContext/readOnlyRootFilesystem'), 'must be true');
    if (!(security.capabilities?.drop ?? []).includes('ALL')) fail(deployment, at('containers/0/securityContext/capabilities/drop'), 'must drop ALL');
    const tmp = (container.volumeMounts ?? []).find((mount: Any) => mount.mountPath === '/tmp');
    const tmpVolume = (pod.volumes ?? []).find((volume: Any) => volume.name === tmp?.name);
    if (!tmpVolume?.emptyDir) fail(deployment, at('containers/0/volumeMounts'), '/tmp must be an emptyDir');
    for (const kind of ['requests', 'limits']) {
      if (!container.resources?.[kind]?.cpu || !container.resources?.[kind]?.memory) fail(deployment, at(`containers/0/resources/${kind}`), 'cpu and memory must be set');
    }

    const env = new Map<string, Any>((container.env ?? []).map((variable: Any) => [variable.name, variable]));
    const grpcPort = Number(env.get('GRPC_PORT')?.value);
    grpcPortOf.set(process.name, grpcPort);
    const grpcContainerPort = (container.ports ?? []).find((port: Any) => port.name === 'grpc')?.containerPort;
    if (!Number.isInteger(grpcPort) || grpcContainerPort !== grpcPort) fail(deployment, at('containers/0/ports'), `a port named grpc must be GRPC_PORT (${env.get('GRPC_PORT')?.value})`);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      if (container[probe]?.grpc?.port !== grpcPort) fail(deployment, at(`containers/0/${probe}/grpc/port`), `must be a gRPC probe on GRPC_PORT ${grpcPort}`);
    }
    if (!(container.ports ?? []).some((port: Any) => port.name === 'metrics' && port.containerPort === METRICS_PORT)) {
      fail(deployment, at('containers/0/ports'), `needs a port named metrics on ${METRICS_PORT}`);
    }
    if (env.get('OTEL_SERVICE_NAME')?.value !== process.name) fail(deployment, at('containers/0/env'), `OTEL_SERVICE_NAME must be ${process.name}`);
    for (const name of SECRET_VARS) {
      const variable = env.get(name);
      if (variable && !variable.valueFrom?.secretKeyRef) fail(deployment, at('containers/0/env'), `${name} must come from a Secret (secretKeyRef)`);
    }
    const service = services.get(process.name);
    if (!service) fail(`Service ${process.name}`, '/', `mesh process ${process.name} has no Service`);
    else if (!(service.spec.ports ?? []).some((port: Any) => port.name === 'metrics') || !(service.spec.ports ?? []).some((port: Any) => port.port === grpcPort)) {
      fail(service, '/spec/ports', `must expose grpc (${grpcPort}) and metrics`);
    }
  }

  // gRPC wiring: what each process's config reads, and the network allowing it.
  for (const process of options.processes) {
    const deployment = deployments.get(process.name);
    if (!deployment) continue;
    const container = deployment.spec.template.spec.containers[0];
    const set = new Set<string>((container.env ?? []).map((variable: Any) => variable.name as string).filter((name: string) => name.endsWith('_GRPC_ADDRESS')));
    const wanted = options.grpcAddressVars.get(process.name) ?? new Set<string>();
    for (const name of wanted) if (!set.has(name)) fail(deployment, '/spec/template/spec/containers/0/env', `${name} is read by its config but not set`);
    for (const name of set) if (!wanted.has(name)) fail(deployment, '/spec/template/spec/containers/0/env', `${name} is set but its config does not read it`);
    for (const variable of container.env ?? []) {
      if (!(variable.name as string).endsWith('_GRPC_ADDRESS')) continue;
      const [host = '', portText = ''] = String(variable.value).split(':');
      const target = services.get(host.split('.')[0]!);
      const port = Number(portText);
      if (!target || !(target.spec.ports ?? []).some((entry: Any) => entry.port === port)) {
        fail(deployment, '/spec/template/spec/containers/0/env', `${variable.name}=${variable.value} names no Service port`);
        continue;
      }
      if (policies.length === 0) continue;
      const callerLabels = deployment.spec.template.metadata.labels as Record<string, string>;
      const callee = deployments.get(target.metadata.name);
      const calleeLabels = (callee?.spec.template.metadata.labels ?? {}) as Record<string, string>;
      const targetPort = grpcPortOf.get(target.metadata.name) ?? port;
      const egress = policies.some(
        (policy) =>
          policy.spec.policyTypes?.includes('Egress') &&
          matches(policy.spec.podSelector?.matchLabels, callerLabels) &&
          (policy.spec.egress ?? []).some((rule: Any) => peerAdmits(rule.to, calleeLabels) && portAdmits(rule.ports, targetPort, undefined)),
      );
      const ingress = policies.some(
        (policy) =>
          policy.spec.policyTypes?.includes('Ingress') &&
          matches(policy.spec.podSelector?.matchLabels, calleeLabels) &&
          (policy.spec.ingress ?? []).some((rule: Any) => peerAdmits(rule.from, callerLabels) && portAdmits(rule.ports, targetPort, 'grpc')),
      );
      if (!egress) fail(deployment, '/', `no NetworkPolicy lets it reach ${target.metadata.name}:${targetPort}`);
      if (!ingress) fail(`Deployment ${target.metadata.name}`, '/', `no NetworkPolicy admits gRPC from ${process.name}`);
    }
  }

  // Secrets: generated only where allowed, and never a default admin token.
  for (const secret of objects.filter((object) => object.kind === 'Secret') as Any[]) {
    if (!options.allowSecrets) fail(secret, '/', 'this overlay must not render Secrets (they are created outside the manifests)');
    const token = secret.stringData?.ADMIN_TOKEN ?? (secret.data?.ADMIN_TOKEN ? Buffer.from(String(secret.data.ADMIN_TOKEN), 'base64').toString() : undefined);
    if (token !== undefined && !/dev/i.test(String(token))) fail(secret, '/data/ADMIN_TOKEN', 'a rendered admin token must be an obviously-dev value');
  }
  for (const configMap of objects.filter((object) => object.kind === 'ConfigMap') as Any[]) {
    for (const name of SECRET_VARS) if (configMap.data?.[name] !== undefined) fail(configMap, `/data/${name}`, 'secrets never go in a ConfigMap');
  }

  // KafkaTopics: exactly the registry, with its partitions.
  const kafkaTopics = (objects.filter((object) => object.kind === 'KafkaTopic') as Any[]).map((topic) => [topic.spec.topicName ?? topic.metadata.name, topic] as const);
  if (kafkaTopics.length > 0) {
    const byName = new Map(kafkaTopics);
    for (const topic of options.topics) {
      const resource = byName.get(topic.name);
      if (!resource) fail(`KafkaTopic ${topic.name}`, '/', 'registry topic has no KafkaTopic (run make k8s-generate)');
      else if (resource.spec.partitions !== topic.partitions) fail(resource, '/spec/partitions', `must be ${topic.partitions} (allTopics())`);
    }
    const registry = new Set(options.topics.map((topic) => topic.name));
    for (const [name, resource] of kafkaTopics) if (!registry.has(name)) fail(resource, '/spec/topicName', 'not in allTopics()');
  }

  // Images pinned: a tag or digest, never latest.
  for (const object of objects as Any[]) {
    const pod = object.kind === 'Deployment' || object.kind === 'StatefulSet' || object.kind === 'Job' ? object.spec.template.spec : undefined;
    for (const [index, container] of (pod?.containers ?? []).entries()) {
      const image = String(container.image);
      const tag = image.includes('@') ? 'digest' : image.slice(image.lastIndexOf('/') + 1).split(':')[1];
      if (!tag || tag === 'latest') fail(object, `/spec/template/spec/containers/${index}/image`, `${image} must be pinned to a tag or digest`);
    }
  }

  // References that must resolve.
  const podLabels = [...objects.filter((object) => ['Deployment', 'StatefulSet'].includes(String(object.kind)))].map(
    (object) => (object as Any).spec.template.metadata.labels as Record<string, string>,
  );
  for (const monitor of objects.filter((object) => object.kind === 'ServiceMonitor') as Any[]) {
    const selected = [...services.values()].filter((service) => matches(monitor.spec.selector?.matchLabels, service.metadata.labels));
    if (selected.length === 0) fail(monitor, '/spec/selector', 'selects no Service');
    for (const endpoint of monitor.spec.endpoints ?? []) {
      if (!selected.every((service) => (service.spec.ports ?? []).some((port: Any) => port.name === endpoint.port))) fail(monitor, '/spec/endpoints', `Service has no port ${endpoint.port}`);
    }
  }
  for (const hpa of objects.filter((object) => object.kind === 'HorizontalPodAutoscaler') as Any[]) {
    if (!deployments.has(hpa.spec.scaleTargetRef.name)) fail(hpa, '/spec/scaleTargetRef', 'targets no Deployment');
    if ((hpa.spec.minReplicas ?? 1) > hpa.spec.maxReplicas) fail(hpa, '/spec/minReplicas', 'exceeds maxReplicas');
  }
  for (const pdb of objects.filter((object) => object.kind === 'PodDisruptionBudget') as Any[]) {
    if (!podLabels.some((labels) => matches(pdb.spec.selector?.matchLabels, labels))) fail(pdb, '/spec/selector', 'selects no pods');
  }
  return violations;
}
