// Bad input: one clear message naming the path (and line where there is one), exit 2, nothing written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './capture.ts';

const fixture = fileURLToPath(new URL('../../fixtures/minipy/', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-bad-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function listing(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(path.relative(root, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort();
}

describe.each(['scan', 'apply', 'check'])('pyglobal %s on bad input', (cmd) => {
  it('a missing path', async () => {
    const r = await runCli([cmd, path.join(tmp, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such directory/);
  });

  it('a folder that is not a CPython tree', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'notree-'));
    fs.writeFileSync(path.join(dir, 'hello.c'), 'int x;\n');
    const r = await runCli([cmd, dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a CPython source tree/);
    expect(listing(dir)).toEqual(['hello.c']);
  });

  it('a tree of a version no profile covers, naming those that are covered', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'py26-'));
    fs.mkdirSync(path.join(dir, 'Include'));
    fs.writeFileSync(path.join(dir, 'Include/patchlevel.h'), '/* x */\n#define PY_VERSION "2.6.9"\n');
    const r = await runCli([cmd, dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/patchlevel\.h:2: this tree is CPython 2\.6\.9; pyglobal has profiles for 2\.4\.x \(rules\/cpython-2\.4\), 2\.7\.x \(rules\/cpython-2\.7\) only/);
  });

  it('a source file that cannot be read', async () => {
    const dir = path.join(tmp, `unreadable-${cmd}`);
    fs.cpSync(fixture, dir, { recursive: true });
    fs.symlinkSync(path.join(tmp, 'does-not-exist.c'), path.join(dir, 'Objects/broken.c'));
    const before = listing(dir).map((p) => [p, fs.lstatSync(path.join(dir, p)).mtimeMs]);
    const r = await runCli([cmd, dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Objects\/broken\.c:1: cannot read/);
    expect(listing(dir).map((p) => [p, fs.lstatSync(path.join(dir, p)).mtimeMs])).toEqual(before);
  });
});

describe('usage errors', () => {
  it('an unknown command exits 2 and says so', async () => {
    const r = await runCli(['scna']);
    expect(r.code).toBe(2);
  });
  it('--help explains every command and the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['scan', 'apply', 'check', 'build', 'audit', 'test', 'demo']) expect(r.stdout).toContain(`pyglobal ${c}`);
    expect(r.stdout).toMatch(/Exit codes: 0 .* 1 .* 2/);
  });
});
