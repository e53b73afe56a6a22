// A fake build directory for pyglobal test: ./python and ./pymt are small Node scripts that
// behave as a plan says (print regrtest-like output, JSON records, crash with a signal, hang),
// so the harness can be tested without a CPython tree.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const goodChecksum = '0123456789abcdef0123456789abcdef';

/** One pymt process's rounds: what each round does. */
export type FakeRound = 'ok' | 'wrong' | 'error' | 'crash' | 'fatal' | 'hang';

const pymtScript = `#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(2);
const n = Number(args[args.indexOf('-n') + 1] || 1);
const ri = args.indexOf('--rounds');
const rounds = ri >= 0 ? Number(args[ri + 1]) : 1;
const good = ${JSON.stringify(goodChecksum)};
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const rec = (round, interp, ok, output, reason) =>
  out({ type: 'interp', round, interp, ok, exit: ok ? 0 : 1, seconds: 0.01, reason: reason || '', output });
if (n === 1 && ri < 0) {
  rec(1, 0, true, 'PYMT-CHECKSUM ' + good + '\\n');
  process.exit(0);
}
const stateFile = process.env.FAKE_STATE;
const plan = JSON.parse(process.env.FAKE_PLAN);
const k = Number(fs.existsSync(stateFile) ? fs.readFileSync(stateFile, 'utf8') : 0);
fs.writeFileSync(stateFile, String(k + 1));
const mine = plan[k] || [];
function die(sig, round) {
  process.stderr.write('pymt: interpreter 1 round ' + round + ': killed by signal ' + (sig === 'SIGABRT' ? 6 : 11) + ' (' + sig + ')\\n');
  process.kill(process.pid, sig);
  setTimeout(() => {}, 10000);
}
(async () => {
  for (let r = 1; r <= rounds; r++) {
    const what = mine[r - 1] || 'ok';
    if (what === 'crash') return die('SIGSEGV', r);
    if (what === 'fatal') { process.stderr.write('Fatal Python error: fake\\n'); return die('SIGABRT', r); }
    if (what === 'hang') { setInterval(() => {}, 1000); return; }
    for (let i = 0; i < n; i++) {
      if (what === 'error' && i === 1) rec(r, i, false, 'Traceback\\n', 'uncaught MemoryError');
      else rec(r, i, true, 'PYMT-CHECKSUM ' + (what === 'wrong' && i === 0 ? 'f'.repeat(32) : good) + '\\n');
    }
  }
  out({ type: 'summary' });
})();
`;

const pythonScript = `#!/usr/bin/env node
const args = process.argv.slice(2);
if (args.includes('Lib/test/regrtest.py')) {
  process.stdout.write(process.env.FAKE_REGRTEST_OUTPUT || '');
  process.exit(Number(process.env.FAKE_REGRTEST_EXIT || 0));
}
process.stdout.write('PYMT-CHECKSUM ${goodChecksum}\\n');
`;

export function makeFakeBuild(opts: { pymt?: boolean; summary?: object; tests?: string[]; version?: string } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-fake-build-'));
  fs.mkdirSync(path.join(dir, 'Lib', 'test'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Lib', 'test', 'regrtest.py'), '# fake\n');
  for (const t of opts.tests ?? ['test_grammar', 'test_a', 'test_b']) fs.writeFileSync(path.join(dir, 'Lib', 'test', `${t}.py`), '');
  fs.writeFileSync(path.join(dir, 'Makefile'), '# fake\n');
  // The built tree's version picks the profile whose test lists apply.
  fs.mkdirSync(path.join(dir, 'Include'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Include', 'patchlevel.h'), `#define PY_VERSION "${opts.version ?? '2.4.6'}"\n`);
  fs.writeFileSync(path.join(dir, 'pyconfig.h'), '/* #undef WITH_THREAD */\n');
  fs.writeFileSync(path.join(dir, 'python'), pythonScript, { mode: 0o755 });
  if (opts.pymt !== false) fs.writeFileSync(path.join(dir, 'pymt'), pymtScript, { mode: 0o755 });
  if (opts.summary) fs.writeFileSync(path.join(dir, 'pyglobal-build.json'), JSON.stringify(opts.summary));
  return dir;
}
