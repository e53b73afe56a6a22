// Version profiles (src/cpython2/profile.ts): which profile a PY_VERSION picks, how layers
// merge (macros by name, the later layer winning; reviewed rows concatenated), and that a
// malformed profile or an uncovered version is refused with file:line (exit 2).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/engine/errors.ts';
import { cite, knownProfiles, loadProfile, profileFor, rulesDir } from '../../src/cpython2/profile.ts';
import { loadMacroRules, macroRuleSource } from '../../src/cpython2/rules.ts';
import { loadReviewed } from '../../src/cpython2/reviewed.ts';
import { defaultTree, openTree } from '../../src/cpython2/target/tree.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-profile-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const build = {
  cflags: { flags: ['-fwrapv'], reason: 'signed overflow wraps' },
  uname: { release: '2.6', reason: 'sys.platform linux2' },
  multiarchSetupCfg: { write: true, reason: 'multiarch libraries' },
  extensions: { reason: 'what setup.py tries', candidates: [{ name: 'zlib' }] },
};
/** A rules/ folder: name → JSON value (or raw text), written under a fresh root. */
function rules(files: Record<string, unknown>): string {
  const root = fs.mkdtempSync(path.join(tmp, 'rules-'));
  for (const [rel, v] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), typeof v === 'string' ? v : JSON.stringify(v, null, 2));
  }
  return root;
}
const profile = (id: string, extra: Record<string, unknown> = {}) => ({ id, layers: ['base', id], versions: { pattern: '^9\\.9', reason: 'the 9.9 releases, for this test' }, build, ...extra });
const macro = (name: string, means: string) => ({ name, kind: 'replace', means, reason: `${name} means ${means} here` });
const row = (name: string) => ({ file: 'x.c', function: '-', name, classification: 'shared-process', reason: 'reviewed for this test' });

describe('the profiles in rules/', () => {
  it('2.4 and 2.7 each have one; the fixture and 2.4.6 pick 2.4, 2.7.6 picks 2.7, 2.6.9 none', () => {
    expect(knownProfiles().map((p) => p.id)).toEqual(['cpython-2.4', 'cpython-2.7']);
    expect(openTree(defaultTree).profile.id).toBe('cpython-2.4');
    expect(profileFor('2.4.6')?.id).toBe('cpython-2.4');
    expect(profileFor('2.7.6')?.id).toBe('cpython-2.7');
    expect(profileFor('2.6.9')).toBeUndefined();
    expect(profileFor('2.40')).toBeUndefined();
  });

  it('reads rules/ first, then cpython-2, then its own layer', () => {
    const p = loadProfile('cpython-2.7');
    expect(p.layers.map((l) => path.relative(rulesDir, l))).toEqual(['', 'cpython-2', 'cpython-2.7']);
    expect(Object.keys(p.manifests)).toEqual(['2.7.6']);
  });

  it('2.4 names its rule files in rewritten sources as before profiles; 2.7 by their real path', () => {
    const hook = path.join(rulesDir, 'cpython-2.4/hooks/readline-once.json');
    expect(cite(loadProfile('cpython-2.4'), hook)).toBe('rules/hooks/readline-once.json');
    expect(cite(loadProfile('cpython-2.4'), path.join(rulesDir, 'libc-calls.json'))).toBe('rules/libc-calls.json');
    expect(cite(loadProfile('cpython-2.7'), path.join(rulesDir, 'cpython-2.7/core-files.json'))).toBe('rules/cpython-2.7/core-files.json');
  });

  it("2.7's Lib/thread.py adds what its threading.py asks for; 2.4's is src/py/thread.py alone", () => {
    expect(profileFor('2.4.6')!.threadModule).toEqual(['src/py/thread.py']);
    expect(profileFor('2.7.6')!.threadModule).toEqual(['src/py/thread.py', 'src/py/thread-2.7.py']);
  });

  it('the build facts 2.4 and 2.7 differ in today: the extension list, the generated files a rewritten 2.7 tree keeps, the TLS model of the tls variant', () => {
    const [b24, b27] = ['cpython-2.4', 'cpython-2.7'].map((id) => loadProfile(id).build);
    expect({ ...b24, extensions: [] }).toEqual({ ...b27, extensions: [], generatedKept: undefined, tlsCflags: undefined });
    expect(b27.tlsCflags).toEqual(['-DPYGLOBAL_TLS_INITIAL_EXEC']);
    expect(b27.generatedKept?.files).toEqual(['Include/graminit.h', 'Python/graminit.c']);
    expect(b27.extensions.map((c) => c.name)).toContain('_io');
    expect(b24.extensions.map((c) => c.name)).not.toContain('_io');
  });
});

describe('layers merge', () => {
  const root = rules({
    'base/macros/A.json': macro('A', 'int'),
    'base/macros/B.json': macro('B', 'long'),
    'cpython-9.9/macros/B.json': macro('B', 'short'),
    'base/reviewed/r.json': { id: 'r', rows: [row('one')] },
    'cpython-9.9/reviewed/r.json': { id: 'r', rows: [row('two')] },
    'cpython-9.9/profile.json': profile('cpython-9.9'),
  });
  const p = loadProfile('cpython-9.9', root);

  it('macros by name, the later layer winning', () => {
    const m = loadMacroRules(p);
    expect([...m.keys()]).toEqual(['A', 'B']);
    expect(m.get('B')).toMatchObject({ means: 'short' });
    expect(macroRuleSource(m.get('A')!)).toMatch(/base\/macros\/A\.json$/);
    expect(macroRuleSource(m.get('B')!)).toMatch(/cpython-9\.9\/macros\/B\.json$/);
  });

  it('reviewed rows concatenated in layer order, each naming its file', () => {
    const rows = loadReviewed(p);
    expect(rows.map((r) => r.name)).toEqual(['one', 'two']);
    expect(rows[1].rulesFile).toMatch(/cpython-9\.9\/reviewed\/r\.json$/);
  });

  it('picks the profile whose pattern matches; two that match the same version are an error', () => {
    expect(profileFor('9.9.1', root)?.id).toBe('cpython-9.9');
    const twice = rules({ 'a/profile.json': profile('a', { layers: ['a'] }), 'b/profile.json': profile('b', { layers: ['b'] }) });
    expect(() => profileFor('9.9', twice)).toThrow(/b\/profile\.json:1: covers 9\.9, which .*a\/profile\.json covers too/);
  });
});

describe('a malformed profile is refused with file:line', () => {
  const refuse = (doc: unknown, msg: RegExp) => {
    const root = rules({ 'base/.keep': '', 'cpython-9.9/profile.json': doc });
    let err: unknown;
    try {
      loadProfile('cpython-9.9', root);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(msg);
    expect((err as Error).message).toContain(path.join(root, 'cpython-9.9/profile.json'));
  };
  it('not JSON: the line of the fault', () => refuse('{\n  "id": "cpython-9.9",\n  oops\n}', /profile\.json:3: not valid JSON/));
  it('id not the folder name', () => refuse(profile('other'), /profile\.json:2: field "id" must be the folder name "cpython-9.9"/));
  it('a layer rules/ does not have', () => refuse(profile('cpython-9.9', { layers: ['nope', 'cpython-9.9'] }), /field "layers" names "nope"/));
  it('layers not ending with itself', () => refuse(profile('cpython-9.9', { layers: ['base'] }), /field "layers" must end with the profile itself/));
  it('versions without a reason', () => refuse(profile('cpython-9.9', { versions: { pattern: '^9' } }), /field "versions" needs a "pattern".*and a "reason"/));
  it('a bad pattern', () => refuse(profile('cpython-9.9', { versions: { pattern: '(', reason: 'an unclosed group' } }), /field "versions" has a bad pattern/));
  it('a manifest it does not have', () => refuse(profile('cpython-9.9', { manifests: { '9.9.0': 'absent.json' } }), /field "manifests" names "absent.json" for 9\.9\.0/));
  it('a thread module file the project does not have', () => refuse(profile('cpython-9.9', { threadModule: { files: ['src/py/nope.py'], reason: 'a file that is not there' } }), /field "threadModule" needs "files"/));
  it('a build fact without its reason', () => refuse(profile('cpython-9.9', { build: { ...build, uname: { release: '2.6' } } }), /field "uname" needs a value and a "reason"/));
});
