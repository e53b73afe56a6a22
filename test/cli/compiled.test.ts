// The shipped CLI runs compiled JavaScript from dist/ (built by `npm ci` through prepare, and by
// vitest's global setup): no TypeScript and no tsx is loaded, in the main thread or in a scan
// worker, and it answers exactly as the library run from src/ does.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanTree } from '../../src/cpython2/scan.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const forbid = fileURLToPath(new URL('./helpers/forbid-ts.mjs', import.meta.url));

function node(args: string[]) {
  return spawnSync(process.execPath, ['--import', forbid, ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 256 << 20 });
}

/** The library's answer, through JSON as the CLI prints it. */
const viaLibrary = (workers?: number) => JSON.parse(JSON.stringify(scanTree(undefined, { workers })));

describe('the compiled CLI', () => {
  it('is what the package runs: prepare builds dist/, bin/ imports it', () => {
    const pkg = JSON.parse(fs.readFileSync(`${repo}/package.json`, 'utf8'));
    expect(pkg.scripts.prepare).toMatch(/build/);
    expect(fs.existsSync(`${repo}/dist/cli/main.js`)).toBe(true);
    expect(fs.readFileSync(`${repo}/bin/pyglobal.js`, 'utf8')).not.toMatch(/tsx/);
  });

  it('the watch itself fails a process that loads TypeScript', () => {
    const r = node(['-e', "import('./src/engine/errors.ts').catch((e) => { console.error(e.message); process.exit(1); })"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/compiled CLI imported/);
  });

  it('prints --help without TypeScript', () => {
    const r = node(['bin/pyglobal.js', '--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('pyglobal scan [src]');
  });

  it('scan --json of the bundled fixture is the library result', () => {
    const r = node(['bin/pyglobal.js', 'scan', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(viaLibrary());
  });

  it('a scan worker started from dist/ runs compiled JavaScript and gives the same result', () => {
    const r = node([fileURLToPath(new URL('./helpers/scan-with-worker.mjs', import.meta.url))]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.fallback).toBe(null);
    expect(out.workers).toBe(1);
    expect(out.r).toEqual(viaLibrary(1));
  });
});
