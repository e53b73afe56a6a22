// The pieces of the Windows build that do not need a compiler: the vcproj file list and the
// PC config.c edits (build/windows.ts), on synthetic inputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { vcprojSources, windowsConfigC, pyconfigShim } from '../../src/cpython2/build/windows.ts';

describe('windows build pieces', () => {
  it('reads the .c files of pythoncore.vcproj with forward slashes and PC spelt as on disk', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-vcproj-'));
    fs.mkdirSync(path.join(dir, 'PCbuild'));
    fs.writeFileSync(
      path.join(dir, 'PCbuild/pythoncore.vcproj'),
      '<File RelativePath="..\\Objects\\a.c"/>\n<File RelativePath="..\\Pc\\b.c"/>\n<File RelativePath="..\\PC\\r.rc"/>\n<File RelativePath="..\\Objects\\a.c"/>\n',
    );
    expect(vcprojSources(dir)).toEqual(['Objects/a.c', 'PC/b.c']);
    fs.rmSync(dir, { recursive: true });
  });

  it('makes the inittab thread-local, adds interpqueue, drops thread; and is a no-op on its own output', () => {
    const cfg = 'extern void initfoo(void);\nextern void initthread(void);\n\nstruct _inittab _PyImport_Inittab[] = {\n        {"foo", initfoo},\n        {"thread", initthread},\n        {0, 0}\n};\n';
    const { text, edits } = windowsConfigC(cfg);
    expect(edits).toHaveLength(3);
    expect(text).toContain('PYGLOBAL struct _inittab _PyImport_Inittab[] = {\n        {"interpqueue", initinterpqueue},\n');
    expect(text).toContain('extern void initinterpqueue(void);');
    expect(text).not.toContain('initthread');
    expect(windowsConfigC(text).edits).toEqual([]);
  });

  it('the pyconfig shim turns threads off after the tree\'s own PC/pyconfig.h', () => {
    expect(pyconfigShim()).toMatch(/#include "\.\.\/PC\/pyconfig\.h"[\s\S]*#undef WITH_THREAD/);
  });
});
