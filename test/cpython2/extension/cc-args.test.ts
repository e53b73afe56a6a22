import { describe, expect, it } from 'vitest';
import { parseCompilerArgs, parseDepRule, preprocessorArgs } from '../../../src/cpython2/extension/cc-args.ts';

describe('reading a compiler command line', () => {
  const argv = ['-fPIC', '-Inumpy/core/include', '-I', 'build/src', '-DX=1', '-o', 'build/a.o', '-c', 'numpy/core/src/a.c', '-MD', '-MF', 'a.d'];
  it('finds the source, the object and the include folders, joined or apart', () => {
    const c = parseCompilerArgs(argv);
    expect(c.compileOnly).toBe(true);
    expect(c.sources.map((i) => argv[i])).toEqual(['numpy/core/src/a.c']);
    expect(c.output).toBe('build/a.o');
    expect(c.includeDirs.map((d) => [d.dir, d.joined])).toEqual([['numpy/core/include', true], ['build/src', false]]);
  });

  it('does not take an option\'s value for a source (-MF x.c, -include y.c)', () => {
    const c = parseCompilerArgs(['-c', '-include', 'pre.c', '-MF', 'dep.c', 'real.c']);
    expect(c.sources).toEqual([5]);
  });

  it('knows links, preprocessing and C++ sources', () => {
    expect(parseCompilerArgs(['-shared', 'a.o', 'b.o', '-o', 'm.so']).compileOnly).toBe(false);
    expect(parseCompilerArgs(['-E', 'a.c']).preprocessOnly).toBe(true);
    expect(parseCompilerArgs(['-c', 'bind.cpp']).sources).toEqual([1]);
    expect(parseCompilerArgs(['-x', 'c', '-c', 'weird.txt']).explicitLanguage).toBe(true);
  });

  it('keeps every preprocessor flag for -M, and drops the output and dependency-file options', () => {
    expect(preprocessorArgs(parseCompilerArgs(argv))).toEqual(['-fPIC', '-Inumpy/core/include', '-I', 'build/src', '-DX=1']);
  });

  it('reads gcc -M output: continued lines and escaped spaces', () => {
    expect(parseDepRule('a.o: a.c /usr/include/stdio.h \\\n  inc/my\\ header.h gen/kinds.inc\n')).toEqual(['a.c', '/usr/include/stdio.h', 'inc/my header.h', 'gen/kinds.inc']);
  });
});
