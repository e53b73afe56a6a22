// C++ sources through the same declaration walk as C (tree-sitter-cpp, engine/cxx-objects.ts):
// globals in namespaces and extern "C" blocks are found; objects with a constructor or
// destructor, references and static data members say why they are not plain data; templates
// and classes never crash the walk.
import { describe, expect, it } from 'vitest';
import { parseFile, lexFile } from '../../src/engine/scan-file.ts';
import { languageOf } from '../../src/engine/parse.ts';
import type { Declaration } from '../../src/engine/model.ts';

const scan = (text: string, path = 'x.cc'): Declaration[] =>
  parseFile(lexFile({ path, text }), { rules: new Map(), headerMacros: new Map(), linesOf: () => undefined }).declarations;
const byName = (ds: Declaration[]) => Object.fromEntries(ds.map((d) => [d.name, d]));

describe('C++ declarations', () => {
  it('C++ by extension; a .h stays C', () => {
    expect(['a.cc', 'a.cpp', 'a.cxx', 'a.hpp', 'a.hh'].map(languageOf)).toEqual(['cxx', 'cxx', 'cxx', 'cxx', 'cxx']);
    expect(['a.c', 'a.h'].map(languageOf)).toEqual(['c', 'c']);
  });

  it('finds plain globals in namespaces, extern "C" blocks and #ifdef __cplusplus guards', () => {
    const src = [
      'namespace n { static int a; namespace m { long b = 1; } }',
      'extern "C" { static char *c; void f(void) { static int d; } }',
      '#ifdef __cplusplus',
      'extern "C" {',
      '#endif',
      'static int e;',
      '#ifdef __cplusplus',
      '}',
      '#endif',
      '',
    ].join('\n');
    const ds = byName(scan(src));
    expect(Object.keys(ds).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ds.d.function).toBe('f');
    expect(Object.values(ds).every((d) => !d.cxx)).toBe(true);
  });

  it('says why objects with constructors or destructors, references and static members are not plain data', () => {
    const src = [
      '#include <string>',
      'class Reg { public: Reg(); ~Reg(); int n; };',
      'struct Pod { int x; };',
      'static std::string s("x");',
      'static std::vector<int> v;',
      'static Reg r;',
      'static Pod p;',
      'static std::string *sp;',
      'static std::size_t z;',
      'int &ref = p.x;',
      'int Reg::count = 0;',
      'static Widget q(3);',
      'template <class T> T tv;',
      'void g() { static std::string cache; }',
      '',
    ].join('\n');
    const ds = byName(scan(src));
    expect(ds.s.cxx).toMatchObject({ kind: 'object', why: expect.stringMatching(/std::string/) });
    expect(ds.v.cxx).toMatchObject({ kind: 'object' });
    expect(ds.r.cxx).toMatchObject({ kind: 'object', why: expect.stringMatching(/class Reg has a user constructor or destructor/) });
    expect(ds.q.cxx).toMatchObject({ kind: 'object', why: expect.stringMatching(/constructor call/) });
    expect(ds.cache.cxx).toMatchObject({ kind: 'object' });
    expect(ds.cache.function).toBe('g');
    expect(ds.ref.cxx?.kind).toBe('reference');
    expect(ds['Reg::count'].cxx?.kind).toBe('member');
    for (const plain of ['p', 'sp', 'z']) expect(ds[plain].cxx, plain).toBeUndefined();
    expect(ds.tv).toBeUndefined(); // a variable template: one per instantiation, not one global
  });

  it('finds statics in inline member functions and out-of-class definitions', () => {
    const src = 'class A { int get() { static int c; return c; } };\nvoid A::m() { static long k; }\n';
    const ds = byName(scan(src));
    expect(ds.c.function).toBe('get');
    expect(ds.k.function).toBe('A::m');
  });
});
