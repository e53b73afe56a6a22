// The compiler wrapper's flow on the bundled fixtures, as a user's build runs it: nothing is
// rewritten on disk; `make CC="pyglobal-cc gcc"` builds against the rewritten minipy.
// - fixtures/ext-gen generates part of its C at build time (kinds.inc from kinds.inc.src, in the
//   build folder) and splits a global over two units: only the wrapper can rewrite it.
// - fixtures/ext-spam, the in-place flow's fixture, built unrewritten through the wrapper, C++
//   included: the wrapper must give what `apply` gives.
// Each runs N threads with an interpreter each, optionally under ThreadSanitizer, with ext-gen's
// plain build against the unrewritten minipy as the twin that must report races.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyTree } from '../apply.ts';
import { defaultTree, projectRoot } from '../target/tree.ts';
import { UsageError } from '../../engine/errors.ts';
import { defaultExtension, extensionBaseline, make, run } from './fixture-run.ts';
import type { RunOutcome } from '../fixture-run.ts';

export const generatingExtension = path.join(projectRoot, 'fixtures/ext-gen');
const wrapper = path.join(projectRoot, 'bin/pyglobal-cc.js');

export interface WrapperFixtureResult {
  work: string;
  /** One JSON line per compiler call of the wrapped builds (PYGLOBAL_CC_LOG). */
  log: { action: string; source?: string; edits?: number; moved?: number; own?: string[] }[];
  gen: RunOutcome;
  spam: RunOutcome;
  tsan?: { gen: RunOutcome; spam: RunOutcome; genTwin: RunOutcome };
}

export async function runWrapperFixture(opts: { work?: string; threads?: number; iterations?: number; tsan?: boolean; onStep?: (m: string) => void } = {}): Promise<WrapperFixtureResult> {
  const work = opts.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-cc-'));
  const step = opts.onStep ?? (() => {});
  const args = [String(opts.threads ?? 4), String(opts.iterations ?? 300)];
  const py = path.join(work, 'minipy-rewritten');
  fs.rmSync(py, { recursive: true, force: true });
  step(`apply minipy → ${py}`);
  const applied = await applyTree(defaultTree, { out: py });
  if (applied.findings.some((f) => f.severity === 'error')) throw new UsageError('apply refused minipy');
  const logFile = path.join(work, 'pyglobal-cc.jsonl');
  fs.rmSync(logFile, { force: true });

  const lib = (tree: string, name: string, cflags: string, threads: boolean) => {
    const out = path.join(work, `${name}-py`);
    make(tree, [`BUILD=${out}`, ...(threads ? ['THREADS=1'] : []), `CFLAGS=${cflags}`, `${out}/libminipy.a`]);
    return `${out}/libminipy.a`;
  };
  const wrapped = (ext: string, name: string, pylib: string, cflags: string, env: NodeJS.ProcessEnv = {}) => {
    const out = path.join(work, name);
    fs.rmSync(out, { recursive: true, force: true });
    make(ext, [`PY=${py}`, `PYLIB=${pylib}`, `BUILD=${out}`, 'THREADS=1', `CFLAGS=${cflags}`, `CC=${wrapper} gcc`, `CXX=${wrapper} g++`], { PYGLOBAL_CC_LOG: logFile, PYGLOBAL_CC_QUIET: '1', ...env });
    return path.join(out, 'threads');
  };
  const genEnv = (out: string) => ({ PYGLOBAL_ROOT: `${generatingExtension}:${path.join(work, out)}` });
  const spamEnv = { PYGLOBAL_BASELINE: extensionBaseline };

  step('make CC="pyglobal-cc gcc": ext-gen and ext-spam against the rewritten minipy');
  const cflags = '-O2 -g';
  const tlsLib = lib(py, 'tls', cflags, true);
  const result: WrapperFixtureResult = {
    work,
    log: [],
    gen: run(wrapped(generatingExtension, 'gen', tlsLib, cflags, genEnv('gen')), args),
    spam: run(wrapped(defaultExtension, 'spam', tlsLib, cflags, spamEnv), args),
  };
  if (opts.tsan) {
    step('ThreadSanitizer: wrapped builds, and ext-gen built plainly against the unrewritten minipy');
    const tsan = '-O1 -g -fsanitize=thread';
    const tsanLib = lib(py, 'tsan', tsan, true);
    const twinOut = path.join(work, 'gen-twin');
    fs.rmSync(twinOut, { recursive: true, force: true });
    make(generatingExtension, [`PY=${defaultTree}`, `PYLIB=${lib(defaultTree, 'tsan-stock', tsan, false)}`, `BUILD=${twinOut}`, `CFLAGS=${tsan}`]);
    result.tsan = {
      gen: run(wrapped(generatingExtension, 'gen-tsan', tsanLib, tsan, genEnv('gen-tsan')), args),
      spam: run(wrapped(defaultExtension, 'spam-tsan', tsanLib, tsan, spamEnv), args),
      genTwin: run(path.join(twinOut, 'threads'), args, 60_000),
    };
  }
  result.log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  return result;
}
