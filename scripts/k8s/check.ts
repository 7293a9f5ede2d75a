/**
 * `make k8s-check`: the generated k8s/ files are current, every overlay renders with
 * kustomize, and every rendered object passes strict schema validation (Kubernetes API and
 * CRDs, unknown fields are errors) and the mesh's own rules (scripts/k8s/policy.ts). Prints
 * the objects per kind and overlay; on an error, the overlay, object and field. Offline: the
 * tools and schemas come from .cache/k8s (infra/install.sh).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { allTopics } from '@voltmesh/kafka';
import { MESH_PROCESSES } from '@voltmesh/testing';
import { diffGenerated, generatedFiles, repoRootDir } from './generate.js';
import { checkPolicy, readGrpcAddressVars } from './policy.js';
import { ManifestValidator, parseManifests, type Violation } from './validate.js';

const started = Date.now();
const cacheDir = join(repoRootDir, '.cache/k8s');
const kustomize = join(cacheDir, 'bin/kustomize');
const k8sDir = join(repoRootDir, 'k8s');
const problems: string[] = [];

const stale = diffGenerated(k8sDir, generatedFiles({ observabilityDir: join(repoRootDir, 'observability') }));
for (const problem of stale) problems.push(`generated files: ${problem} (run make k8s-generate)`);

if (!existsSync(kustomize)) {
  console.error(`k8s-check: ${kustomize} is missing: run make install`);
  process.exit(1);
}
const validator = new ManifestValidator(cacheDir);
const grpcAddressVars = readGrpcAddressVars(repoRootDir, MESH_PROCESSES);
const overlays = readdirSync(join(k8sDir, 'overlays')).sort();
const summary = new Map<string, Map<string, number>>();

for (const overlay of overlays) {
  let rendered: string;
  try {
    rendered = execFileSync(kustomize, ['build', join(k8sDir, 'overlays', overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    problems.push(`overlay ${overlay}: kustomize build failed: ${stderr.trim()}`);
    continue;
  }
  const objects = parseManifests(rendered, `overlay ${overlay}`);
  const kinds = new Map<string, number>();
  for (const object of objects) kinds.set(String(object.kind), (kinds.get(String(object.kind)) ?? 0) + 1);
  summary.set(overlay, kinds);
  const violations: Violation[] = [
    ...objects.flatMap((object) => validator.validate(object)),
    ...checkPolicy(objects, { processes: MESH_PROCESSES, topics: allTopics(), grpcAddressVars, allowSecrets: overlay !== 'prod' }),
  ];
  for (const violation of violations) problems.push(`overlay ${overlay}: ${violation.object}: ${violation.field}: ${violation.message}`);
}

const allKinds = [...new Set([...summary.values()].flatMap((kinds) => [...kinds.keys()]))].sort();
const width = Math.max(4, ...allKinds.map((kind) => kind.length));
const columns = [...summary.keys()];
console.log(`${'kind'.padEnd(width)}  ${columns.map((overlay) => overlay.padStart(5)).join('  ')}`);
for (const kind of allKinds) {
  console.log(`${kind.padEnd(width)}  ${columns.map((overlay) => String(summary.get(overlay)?.get(kind) ?? 0).padStart(Math.max(5, overlay.length))).join('  ')}`);
}
const totals = columns.map((overlay) => [...(summary.get(overlay)?.values() ?? [])].reduce((sum, count) => sum + count, 0));
console.log(`${'total'.padEnd(width)}  ${totals.map((total, index) => String(total).padStart(Math.max(5, columns[index]!.length))).join('  ')}`);

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (problems.length > 0) {
  console.error(`\nk8s-check: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`k8s-check: ok: generated files current, ${columns.length} overlays rendered, every object valid (schemas: Kubernetes API + ${validator.customKinds().length} CRD kinds) in ${seconds} s`);
