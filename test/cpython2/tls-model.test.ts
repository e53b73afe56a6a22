// The TLS model the generated pyglobal.h gives the core's globals, read from gcc's assembly:
// local-exec (@tpoff) for code that can only land in an executable, the compiler's default for
// -fPIC code (a shared libpython) and for extensions, initial-exec (@gottpoff) on request.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pyglobalHeader } from '../../src/cpython2/plan.ts';
import { linkModelFlags } from '../../src/cpython2/build/linkmodel.ts';

const hasGcc = spawnSync('gcc', ['--version']).status === 0;

function asm(flags: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-tls-'));
  fs.writeFileSync(path.join(dir, 'pyglobal.h'), pyglobalHeader());
  fs.writeFileSync(path.join(dir, 'u.c'), '#include "pyglobal.h"\nPYGLOBAL int counter;\nextern PYGLOBAL int other;\nint bump(void) { return ++counter + other; }\nint *where(void) { return &counter; }\n');
  const r = spawnSync('gcc', ['-O2', '-S', '-o', '-', ...flags, path.join(dir, 'u.c')], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe.skipIf(!hasGcc)('pyglobal.h TLS model', () => {
  // A variable of another unit is what gains: -fPIE alone makes it initial-exec (@gottpoff).
  it('core code for an executable (-fPIE or no PIC) is local-exec, also for another unit\'s variable', () => {
    expect(asm(['-DPy_BUILD_CORE', '-fPIE'])).toMatch(/other@tpoff/);
    expect(asm(['-DPy_BUILD_CORE', '-fno-pic'])).toMatch(/other@tpoff/);
    expect(asm(['-fPIE'])).toMatch(/other@gottpoff/);
  });
  it('core code for a shared libpython (-fPIC, Py_ENABLE_SHARED) keeps the default, general-dynamic', () => {
    expect(asm(['-DPy_BUILD_CORE', '-fPIC'])).toMatch(/counter@tlsgd/);
    expect(asm(['-DPy_BUILD_CORE', '-fPIE', '-DPy_ENABLE_SHARED'])).toMatch(/other@gottpoff/);
  });
  it('initial-exec when the build asks for it; extensions never get the core model', () => {
    expect(asm(['-DPy_BUILD_CORE', '-fPIC', '-DPYGLOBAL_TLS_INITIAL_EXEC'])).toMatch(/counter@gottpoff/);
    expect(asm(['-fPIC'])).toMatch(/counter@tlsgd/);
    expect(asm(['-fPIC', '-DPYGLOBAL_TLS_INITIAL_EXEC'])).toMatch(/counter@tlsgd/);
  });
});

describe('link models', () => {
  it('static adds nothing; the shared ones configure --enable-shared with their flag', () => {
    expect(linkModelFlags('static')).toEqual({ basecflags: [], configureArgs: [], shared: false });
    expect(linkModelFlags('shared')).toEqual({ basecflags: [], configureArgs: ['--enable-shared'], shared: true });
    expect(linkModelFlags('shared-gnu2').basecflags).toEqual(['-mtls-dialect=gnu2']);
    expect(linkModelFlags('shared-ie').basecflags).toEqual(['-DPYGLOBAL_TLS_INITIAL_EXEC']);
  });
});
