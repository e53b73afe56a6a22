// pyglobal build --sanitize thread on a stand-in tree: what reaches configure, make and the
// extension links, the flag check over every compile, the runtime check on the linked
// programs, the prelude, and what the summary records. Needs gcc with TSan; skips without.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { formatSummary } from '../../src/cli/commands/build.ts';
import { buildTree, checkBuildInput, tsanOpt } from '../../src/cpython2/build.ts';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-build-tsan-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const put = (root: string, rel: string, text: string, mode = 0o644) => {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  fs.chmodSync(p, mode);
};

// configure writes a Makefile that keeps BASECFLAGS, OPT and LDFLAGS as 2.4's does; python is
// a real program linked with $(LDFLAGS) that answers the build's platform query; setup.py's
// step compiles one extension with BASECFLAGS and links it with the LDFLAGS it finds in the
// environment (distutils appends that to LDSHARED); `stray` adds a compile without BASECFLAGS.
function fakeTree(root: string, opts: { stray?: boolean } = {}): string {
  put(root, 'Include/patchlevel.h', '#define PY_VERSION "2.4.6"\n');
  put(root, 'Include/pyglobal.h', '#define PYGLOBAL __thread\n');
  put(root, 'Makefile.pre.in', '# stand-in\n');
  put(root, 'setup.py', '# stand-in\n');
  put(root, 'Objects/a.c', 'int fake_answer(void) { return 42; }\n');
  put(
    root,
    'Modules/python.c',
    '#include <stdio.h>\nint main(void) { printf("linux2\\n9223372036854775807\\nposix pwd\\n"); return 0; }\n',
  );
  put(root, 'Modules/foo.c', 'int foo(void) { return 1; }\n');
  put(
    root,
    'configure',
    `#!/bin/sh
for a in "$@"; do
  case "$a" in
    BASECFLAGS=*) BASECFLAGS="\${a#BASECFLAGS=}" ;;
    LDFLAGS=*) LDFLAGS="\${a#LDFLAGS=}" ;;
    OPT=*) OPT="\${a#OPT=}" ;;
  esac
done
echo "checking MACHDEP... linux2"
cat > Makefile <<EOF
BASECFLAGS=	$BASECFLAGS
OPT=		$OPT
LDFLAGS=	$LDFLAGS
MACHDEP=	linux2
MODOBJS=	Modules/posixmodule.o
LIBRARY=	libpython2.4.a
T=build/temp.linux-x86_64-2.4
L=build/lib.linux-x86_64-2.4
all: python sharedmods
Objects/a.o: Objects/a.c
	gcc -c \\$(BASECFLAGS) \\$(OPT) -o Objects/a.o Objects/a.c
Modules/python.o: Modules/python.c
	gcc -c \\$(BASECFLAGS) \\$(OPT) -o Modules/python.o Modules/python.c
${opts.stray ? 'Objects/b.o:\n\techo "int b;" > Objects/b.c\n\tgcc -c -o Objects/b.o Objects/b.c\n' : ''}libpython2.4.a: Objects/a.o ${opts.stray ? 'Objects/b.o' : ''}
	ar rc libpython2.4.a Objects/a.o
python: libpython2.4.a Modules/python.o
	gcc \\$(LDFLAGS) -o python Modules/python.o libpython2.4.a
sharedmods: python
	: ./setup.py build
	@echo "running build"
	@echo "building 'foo' extension"
	@mkdir -p \\$(T) \\$(L)
	gcc -fPIC \\$(BASECFLAGS) \\$(OPT) -c Modules/foo.c -o \\$(T)/foo.o
	gcc -shared \\$(T)/foo.o \\$\\$LDFLAGS -o \\$(L)/foo.so
EOF
`,
    0o755,
  );
  return root;
}

const tsanWorks = (() => {
  if (!['gcc', 'make', 'setarch', 'ar', 'readelf'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0)) return false;
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-tsan-probe-'));
  try {
    fs.writeFileSync(path.join(d, 'x.c'), 'int main(void) { return 0; }\n');
    return spawnSync('gcc', ['-fsanitize=thread', path.join(d, 'x.c'), '-o', path.join(d, 'x')]).status === 0;
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
})();

/** The stand-in tree cannot link the real pymt: point it at a source that is not there (skipped). */
const noPymt = () => ({ pymt: path.join(tmp, 'no-pymt.c') });

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: any) => ((stdout += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: any) => ((stderr += String(c)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('build --sanitize', () => {
  it('refuses a sanitizer other than thread, writing nothing (exit 2)', async () => {
    const src = fakeTree(path.join(tmp, 'src'));
    expect(() => checkBuildInput({ src, variant: 'tls', out: path.join(tmp, 'o'), sanitize: 'address' as never })).toThrow(
      /--sanitize "address": unknown sanitizer; choose thread/,
    );
    const r = await cli(['build', src, '--variant', 'tls', '--sanitize', 'memory', '--out', path.join(tmp, 'o')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown sanitizer/);
    expect(fs.existsSync(path.join(tmp, 'o'))).toBe(false);
  });

  it.skipIf(!tsanWorks)(
    'thread: every compile carries -fsanitize=thread -g and the rules\' flags, links get it, python loads the runtime',
    async () => {
      const src = fakeTree(path.join(tmp, 'src'));
      const out = path.join(tmp, 'out');
      const env = { ...process.env };
      delete env.OPT;
      const s = await buildTree({ src, variant: 'tls', out, sanitize: 'thread', jobs: 1, env, extraSources: noPymt() });
      expect(s.status).toBe('ok');
      expect(s.sanitize).toBe('thread');
      const prelude = path.join(out, 'pyglobal-tsan', 'prelude.h');
      expect(s.configure.basecflags).toBe(`-fwrapv -fsanitize=thread -g -DPy_USING_MEMORY_DEBUGGER -include ${prelude}`);
      const crypt = path.isAbsolute(spawnSync('gcc', ['-print-file-name=libcrypt.so'], { encoding: 'utf8' }).stdout.trim());
      const ldflags = `-fsanitize=thread${crypt ? ' -lcrypt' : ''}`;
      expect(s.configure.args).toEqual([`BASECFLAGS=${s.configure.basecflags}`, `LDFLAGS=${ldflags}`, `OPT=${tsanOpt}`, '--without-threads']);
      expect(s.configure.ldflags).toBe(ldflags);
      expect(s.flagCheck).toMatchObject({ compiles: 3, missing: [] });
      expect(s.flagCheck.required).toEqual(['-fwrapv', '-fsanitize=thread', '-g', '-DPy_USING_MEMORY_DEBUGGER', '-include', prelude]);
      expect(fs.readFileSync(prelude, 'utf8')).toContain('__attribute__((no_sanitize_thread));');
      expect(s.tsan).toMatchObject({ runtime: [{ program: 'python', linked: true }], reports: 0, prelude });
      expect(s.tsan!.options).toMatch(/exitcode=0/);
      // the extension link took LDFLAGS from the environment, as distutils does
      const so = path.join(out, 'build/lib.linux-x86_64-2.4/foo.so');
      expect(spawnSync('readelf', ['-d', so], { encoding: 'utf8' }).stdout).toMatch(/libtsan/);
      if (crypt) expect(spawnSync('readelf', ['-d', path.join(out, 'python')], { encoding: 'utf8' }).stdout).toMatch(/libcrypt\.so/);
      expect(s.notes).toEqual([]);
      const text = formatSummary(s);
      expect(text).toMatch(/flags       -fwrapv -fsanitize=thread -g -DPy_USING_MEMORY_DEBUGGER -include \S+prelude\.h on all 3 compiles/);
      expect(text).toMatch(/sanitize    thread: python loads libtsan; no TSan report from the programs the build ran/);
      const json = JSON.parse(fs.readFileSync(path.join(out, 'pyglobal-build.json'), 'utf8'));
      expect(json.sanitize).toBe('thread');
    },
    120_000,
  );

  it.skipIf(!tsanWorks)('the flag check still names a compile that lacks the sanitizer flags', async () => {
    const src = fakeTree(path.join(tmp, 'src'), { stray: true });
    const s = await buildTree({ src, variant: 'tls', out: path.join(tmp, 'out'), sanitize: 'thread', jobs: 1, extraSources: noPymt() });
    expect(s.flagCheck.missing.map((m) => m.object)).toEqual(['Objects/b.o']);
    expect(s.flagCheck.missing[0].missing).toContain('-fsanitize=thread');
    expect(s.notes.join('\n')).toMatch(/1 of 4 compiles lack/);
  }, 120_000);

  it.skipIf(!tsanWorks)('without --sanitize: sanitize null, no TSan flags, no tsan section', async () => {
    const src = fakeTree(path.join(tmp, 'src'));
    const s = await buildTree({ src, variant: 'tls', out: path.join(tmp, 'out'), jobs: 1, extraSources: noPymt() });
    expect(s.sanitize).toBe(null);
    expect(s.configure.basecflags).toBe('-fwrapv');
    expect(s.tsan).toBeUndefined();
    expect(formatSummary(s)).toMatch(/sanitize    none/);
  }, 120_000);
});
