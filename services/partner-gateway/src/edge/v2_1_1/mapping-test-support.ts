/** What the 2.1.1 mapper tests share: comparing objects minus what a mapping reported lost. */
import type { Loss } from '../mapped.js';

/** As sent on the wire: undefined-valued keys dropped. */
export const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
export const fields = (losses: readonly Loss[]): string[] => losses.map((loss) => loss.field);

/** A deep copy without the named paths (`a.b[0].c`); a path ending in an index removes that element. */
export function omit(value: unknown, paths: readonly string[]): unknown {
  const LOST = Symbol('lost');
  const copy = plain(value) as Record<string | number, unknown>;
  for (const path of paths) {
    const segments = path.split(/\.|\[(\d+)\]/).filter((segment) => segment !== undefined && segment !== '');
    let node: Record<string | number, unknown> | undefined = copy;
    for (const segment of segments.slice(0, -1)) node = node?.[segment] as Record<string | number, unknown> | undefined;
    const last = segments.at(-1);
    if (node === undefined || last === undefined || !(last in node)) continue;
    if (Array.isArray(node)) node[Number(last)] = LOST;
    else delete node[last];
  }
  const sweep = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.filter((item) => item !== LOST).map(sweep)
      : node !== null && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).map(([key, item]) => [key, sweep(item)]))
        : node;
  return sweep(copy);
}
