/**
 * The k8s check can fail: the strict validator rejects broken objects (unknown fields, wrong
 * types, missing required fields, bad KafkaTopics, bad alert rules, unknown kinds), the mesh
 * rules reject a weakened or miswired Deployment, and the generator's --check notices stale
 * files. Runs on the schemas and kustomize that `make install` put in .cache/k8s.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { allTopics } from '@voltmesh/kafka';
import { MESH_PROCESSES } from '@voltmesh/testing';
import { diffGenerated, generatedFiles, repoRootDir, writeGenerated } from '../../scripts/k8s/generate.js';
import { checkPolicy, readGrpcAddressVars } from '../../scripts/k8s/policy.js';
import { ManifestValidator, parseManifests, type K8sObject, type Violation } from '../../scripts/k8s/validate.js';

const cacheDir = join(repoRootDir, '.cache/k8s');
let validator: ManifestValidator;

before(() => {
  validator = new ManifestValidator(cacheDir);
});

function one(yamlText: string): K8sObject {
  const [object] = parseManifests(yamlText);
  assert.ok(object, 'the fixture holds an object');
  return object;
}

function assertRejected(violations: Violation[], field: string, message: RegExp): void {
  assert.ok(
    violations.some((violation) => violation.field === field && message.test(violation.message)),
    `expected ${field} ${String(message)} among: ${JSON.stringify(violations)}`,
  );
}

const deployment = (container: string, extraSpec = ''): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
spec:
${extraSpec}  selector:
    matchLabels: {app: broken}
  template:
    metadata:
      labels: {app: broken}
    spec:
      containers:
${container}`;

const goodContainer = `        - name: app
          image: voltmesh:1.0.0
          readinessProbe:
            grpc: {port: 50051}
`;

describe('strict schema validation', () => {
  test('accepts a well-formed Deployment, KafkaTopic and ServiceMonitor', () => {
    assert.deepEqual(validator.validate(one(deployment(goodContainer))), [], 'a correct Deployment passes');
    const topic = one(`
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata: {name: ok, labels: {strimzi.io/cluster: voltmesh}}
spec: {topicName: ok.v1, partitions: 6, replicas: 3, config: {retention.ms: 604800000}}
`);
    assert.deepEqual(validator.validate(topic), [], 'a correct KafkaTopic passes');
    const monitor = one(`
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: ok}
spec: {selector: {matchLabels: {app: x}}, endpoints: [{port: metrics, path: /metrics, interval: 30s}]}
`);
    assert.deepEqual(validator.validate(monitor), [], 'a correct ServiceMonitor passes');
  });

  test('rejects an unknown field, at any depth', () => {
    const violations = validator.validate(
      one(deployment(`${goodContainer}          securityContext: {readOnlyRootFilesytem: true}\n`, '  replica: 2\n')),
    );
    assertRejected(violations, '/spec/replica', /unknown field/);
    assertRejected(violations, '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesytem', /unknown field/);
  });

  test('rejects a wrong type', () => {
    const violations = validator.validate(one(deployment(goodContainer, '  replicas: "three"\n')));
    assertRejected(violations, '/spec/replicas', /must be integer/);
  });

  test('rejects a missing required field', () => {
    const violations = validator.validate(
      one(deployment(`        - image: voltmesh:1.0.0\n          readinessProbe:\n            grpc: {service: ""}\n`)),
    );
    assertRejected(violations, '/spec/template/spec/containers/0', /missing required field "name"/);
    assertRejected(violations, '/spec/template/spec/containers/0/readinessProbe/grpc', /missing required field "port"/);
    const unnamed = validator.validate(one('apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\ndata: {A: b}\n'));
    assertRejected(unnamed, '/metadata/name', /missing required field "name"/);
  });

  test('rejects a KafkaTopic with a bad spec', () => {
    const violations = validator.validate(
      one(`
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata: {name: bad}
spec: {partitions: "six", replicas: 0, topicname: bad.v1}
`),
    );
    assertRejected(violations, '/spec/partitions', /must be integer/);
    assertRejected(violations, '/spec/replicas', /must be >= 1/);
    assertRejected(violations, '/spec/topicname', /unknown field/);
  });

  test('rejects a Kafka listener without its required fields and an alert rule without expr', () => {
    const kafka = validator.validate(
      one(`
apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata: {name: k}
spec: {kafka: {listeners: [{name: plain, port: 9092, type: internal}]}}
`),
    );
    assertRejected(kafka, '/spec/kafka/listeners/0', /missing required field "tls"/);
    const rule = validator.validate(
      one(`
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: r}
spec: {groups: [{name: g, rules: [{alert: A, for: 5m}]}]}
`),
    );
    assertRejected(rule, '/spec/groups/0/rules/0', /missing required field "expr"/);
  });

  test('rejects a kind it has no schema for, and a wrong apiVersion for a known kind', () => {
    assertRejected(validator.validate(one('apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n')), '/', /no schema/);
    assertRejected(validator.validate(one('apiVersion: kafka.strimzi.io/v1alpha9\nkind: KafkaTopic\nmetadata: {name: t}\n')), '/', /no schema/);
  });
});

describe('mesh rules on a rendered overlay', () => {
  const kustomize = join(cacheDir, 'bin/kustomize');
  const render = (): K8sObject[] =>
    parseManifests(execFileSync(kustomize, ['build', join(repoRootDir, 'k8s/overlays/dev')], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const options = (allowSecrets: boolean) => ({
    processes: MESH_PROCESSES,
    topics: allTopics(),
    grpcAddressVars: readGrpcAddressVars(repoRootDir, MESH_PROCESSES),
    allowSecrets,
  });

  test('the dev overlay passes, and fails once a Deployment is weakened or miswired', () => {
    const objects = render();
    assert.deepEqual(checkPolicy(objects, options(true)), [], 'the committed dev overlay follows the rules');
    for (const object of objects) assert.deepEqual(validator.validate(object), [], `${String(object.kind)} renders valid`);

    type Container = { securityContext: Record<string, unknown>; env: { name: string; value?: string }[]; readinessProbe: unknown };
    const sessions = objects.find((object) => object.kind === 'Deployment' && (object.metadata as { name: string }).name === 'sessions');
    assert.ok(sessions, 'the dev overlay has a sessions Deployment');
    const container = (sessions as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers[0]!;
    container.securityContext['readOnlyRootFilesystem'] = false;
    container.readinessProbe = { httpGet: { port: 8080, path: '/' } };
    container.env = container.env.filter((variable) => variable.name !== 'TARIFFS_GRPC_ADDRESS');
    container.env.push({ name: 'BILLING_GRPC_ADDRESS', value: 'billing:50055' });
    const violations = checkPolicy(objects, options(false));
    assertRejected(violations, '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem', /must be true/);
    assertRejected(violations, '/spec/template/spec/containers/0/readinessProbe/grpc/port', /gRPC probe/);
    assertRejected(violations, '/spec/template/spec/containers/0/env', /TARIFFS_GRPC_ADDRESS is read by its config but not set/);
    assertRejected(violations, '/spec/template/spec/containers/0/env', /BILLING_GRPC_ADDRESS is set but its config does not read it/);
    assertRejected(violations, '/', /no NetworkPolicy lets it reach billing:50055/);
    assertRejected(violations, '/', /must not render Secrets/);
  });

  test('a KafkaTopic whose partitions drift from allTopics() is reported', () => {
    const objects = render();
    const topic = objects.find((object) => object.kind === 'KafkaTopic') as unknown as { spec: { partitions: number; topicName: string } };
    topic.spec.partitions += 1;
    assertRejected(checkPolicy(objects, options(true)), '/spec/partitions', /allTopics\(\)/);
  });
});

describe('generator', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'voltmesh-k8s-gen-'));
    mkdirSync(join(dir, 'observability/alerts'), { recursive: true });
    mkdirSync(join(dir, 'observability/dashboards'), { recursive: true });
    writeFileSync(
      join(dir, 'observability/alerts/mesh.rules.yaml'),
      'groups:\n  - name: mesh\n    rules:\n      - alert: MeshProcessDown\n        expr: up == 0\n        for: 2m\n        labels: {severity: critical}\n',
    );
    writeFileSync(join(dir, 'observability/dashboards/overview.json'), '{"uid":"overview","title":"Overview","panels":[]}\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes a KafkaTopic per registry topic and a valid PrometheusRule, and --check notices drift', () => {
    const files = generatedFiles({ observabilityDir: join(dir, 'observability') });
    const topics = parseManifests(files.get('components/kafka/generated/topics.yaml') ?? '');
    assert.deepEqual(
      topics.map((topic) => [(topic['spec'] as { topicName: string }).topicName, (topic['spec'] as { partitions: number }).partitions]),
      allTopics().map((topic) => [topic.name, topic.partitions]),
      'one KafkaTopic per allTopics() entry, with its partitions',
    );
    for (const topic of topics) assert.deepEqual(validator.validate(topic), [], 'generated KafkaTopics are valid');
    const rules = parseManifests(files.get('components/monitoring/generated/prometheus-rules.yaml') ?? '');
    assert.equal(rules.length, 1, 'one PrometheusRule per rule file');
    assert.deepEqual(validator.validate(rules[0]!), [], 'the generated PrometheusRule is valid');
    assert.ok(files.has('components/monitoring/generated/dashboards/overview.json'), 'the dashboard is copied for the configMapGenerator');

    const k8s = join(dir, 'k8s');
    writeGenerated(k8s, files);
    assert.deepEqual(diffGenerated(k8s, files), [], 'freshly written files are current');
    writeFileSync(join(k8s, 'components/kafka/generated/topics.yaml'), 'edited by hand\n');
    writeFileSync(join(k8s, 'components/monitoring/generated/dashboards/removed.json'), '{}');
    assert.deepEqual(
      diffGenerated(k8s, files).sort(),
      ['differs: k8s/components/kafka/generated/topics.yaml', 'stale: k8s/components/monitoring/generated/dashboards/removed.json'],
      '--check reports the edited and the stale file',
    );
  });

  test('refuses a rule file without groups', () => {
    writeFileSync(join(dir, 'observability/alerts/empty.rules.yaml'), 'rules: []\n');
    assert.throws(() => generatedFiles({ observabilityDir: join(dir, 'observability') }), /non-empty "groups" list/, 'a malformed rule file stops the generator');
    rmSync(join(dir, 'observability/alerts/empty.rules.yaml'));
  });
});
