/**
 * The engine's floors (packages/engine/README.md): a file imports only from its own folder or from a lower floor, and
 * no files import each other in a loop. Tests are left out: a test may use whatever it needs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Bottom to top. A path is on the floor of its longest listed prefix. */
const FLOORS: string[][] = [
  // The contracts: the engine port and errors, the image and detection types.
  ['engine.ts', 'vision/types.ts'],
  // Image primitives; the vision models; the generic worker pool.
  ['raster/', 'vision/', 'pool/'],
  ['body/'],
  ['garment/'],
  ['fit/'],
  ['composite/'],
  // The identity pass for hosted engines' results: it parses the person (body/) and the garment (garment/), not
  // the composite, and the engines' worker tasks call it.
  ['identity/'],
  // The engines, and the tasks their worker threads run; the hosted engines (providers/) beside them, with their
  // retries, circuit breaker and fallback chain. Neither imports the other.
  ['engines/', 'providers/'],
  // The quality runner and the package's entry point.
  ['quality/', 'index.ts'],
  // The fakes of the providers' APIs (testing/, a separate package export for the server's tests) sit on top: they
  // use providers/http.ts's clock type, and quality/'s drawn bottoms for the server's outfit test; nothing in the
  // engine may import them.
  ['testing/'],
];

function floorOf(path: string): { floor: number; room: string } {
  let best = { floor: -1, room: '' };
  FLOORS.forEach((rooms, floor) => {
    for (const room of rooms) {
      if ((path === room || path.startsWith(room)) && room.length > best.room.length) best = { floor, room };
    }
  });
  assert.ok(best.floor >= 0, `${path} is on no floor: add its folder to FLOORS`);
  return best;
}

function sources(dir = SRC, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Relative imports (static, type-only, re-exports and dynamic) of a file, as paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(SRC, normalize(join(dirname(file), s))).replace(/\.js$/, '.ts'));
}

const graph = new Map(sources().map((f) => [relative(SRC, f), importsOf(f)]));

test('imports only point down: a file imports its own folder or a lower floor', () => {
  const up: string[] = [];
  for (const [file, deps] of graph) {
    const from = floorOf(file);
    for (const dep of deps) {
      const to = floorOf(dep);
      if (to.room === from.room) continue;
      if (to.floor >= from.floor) up.push(`${file} -> ${dep}`);
    }
  }
  assert.deepEqual(up, []);
});

test('no import cycle between files', () => {
  // Tarjan's strongly connected components; any component of two or more files is a cycle.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  assert.deepEqual(cycles, []);
});

test('every import resolves to a source file', () => {
  const missing = [...graph].flatMap(([file, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${file} -> ${d}`));
  assert.deepEqual(missing, []);
});
