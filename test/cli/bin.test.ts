// The installed entry points: bin/pyglobal.js as a real process (exit codes reach the shell),
// and the package scripts the README's quick start uses.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(fs.readFileSync(`${repo}/package.json`, 'utf8'));

describe('bin/pyglobal.js', () => {
  it('prints help and exits 0', () => {
    const r = spawnSync(process.execPath, ['bin/pyglobal.js', '--help'], { cwd: repo, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('pyglobal scan');
  });

  it('exits 2 with a message on bad input', () => {
    const r = spawnSync(process.execPath, ['bin/pyglobal.js', 'scan', '/nonexistent/tree'], { cwd: repo, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no such directory/);
  });

  it('scans the bundled fixture with --json on stdout only', () => {
    const r = spawnSync(process.execPath, ['bin/pyglobal.js', 'scan', '--json'], { cwd: repo, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).globals.length).toBeGreaterThan(50);
  });

  it('npm start and the pyglobal script go through the launcher', () => {
    expect(pkg.scripts.start).toBe('node bin/pyglobal.js demo');
    expect(pkg.bin.pyglobal).toBe('bin/pyglobal.js');
  });
});
