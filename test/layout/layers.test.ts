// Dependencies point down: the engine knows C, src/cpython2 knows CPython, the CLI is a thin
// layer over both. No module of a lower layer may import from a higher one.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/cpython2/target/tree.ts';

const layers = ['src/engine', 'src/cpython2', 'src/report', 'src/cli'];
const rank = (f: string) => layers.findIndex((l) => f === l || f.startsWith(l + '/'));

function files(dir: string): string[] {
  return fs.readdirSync(path.join(projectRoot, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('layers', () => {
  it('no import runs up: engine < cpython2 < cli (report sits beside cpython2, below the CLI)', () => {
    const up: string[] = [];
    for (const f of layers.slice(0, 3).flatMap(files)) {
      const text = fs.readFileSync(path.join(projectRoot, f), 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = path.normalize(path.join(path.dirname(f), m[1]));
        const from = rank(f);
        const to = rank(target);
        // report and cpython2 may use each other; nothing below the CLI may use the CLI,
        // and the engine may use nothing above it.
        if (to === 3 || (from === 0 && to > 0)) up.push(`${f} imports ${target}`);
      }
    }
    expect(up).toEqual([]);
  });
});
