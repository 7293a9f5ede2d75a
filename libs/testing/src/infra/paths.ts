import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: the folder holding pnpm-workspace.yaml above this file. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('pnpm-workspace.yaml not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/** Where infra/install.sh puts the Kafka jars and the FerretDB binary. */
export function cachePaths(root = repoRoot()): { kafkaLibs: string; ferretdb: string } {
  return { kafkaLibs: join(root, '.cache', 'kafka', 'libs'), ferretdb: join(root, '.cache', 'ferretdb', 'bin', 'ferretdb') };
}
