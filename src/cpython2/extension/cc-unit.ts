// One compile through the wrapper: the unit's own files (the source and every header or .inc it
// includes from the package, generated ones too) are copied to a mirror next to the object, the
// mirror is rewritten and gated as an extension folder against the rewritten tree, and the real
// compiler builds the object from the mirror. The package on disk is never written, so a build
// that generates sources (numpy's .src templates, its API tables) works unchanged.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import type { Finding } from '../../engine/model.ts';
import { applyTree } from '../apply.ts';
import { checkTree } from '../check.ts';
import { applyBaseline, parseBaseline } from '../../report/baseline.ts';
import { parseCompilerArgs, preprocessorArgs, parseDepRule, type CompilerCall } from './cc-args.ts';

export interface UnitOptions {
  /** The real compiler and the arguments it was given. */
  cc: string[];
  args: string[];
  cwd: string;
  /**
   * The package's folders: files under them are the package's own (sources, generated sources in
   * an out-of-tree build folder). Default: cwd.
   */
  roots?: string[];
  /** The rewritten CPython tree; default: found among the -I folders (its Include/ has pyglobal.h). */
  python?: string;
  /** Where mirrors go; default: next to each object, as <object>.pyglobal/. */
  work?: string;
  /**
   * check's baseline of reviewed findings (`check --write-baseline`), paths relative to the
   * package folder: those are let through. Entries about other units are no business of this one.
   */
  baseline?: string;
  log: (line: string) => void;
}

export interface UnitResult {
  status: number;
  /** What happened, for the log and tests: passed through, rewritten, or refused. */
  action: 'pass-through' | 'rewritten' | 'refused' | 'compiler-error';
  why?: string;
  /** The source compiled, absolute. */
  source?: string;
  mirror?: string;
  own?: string[];
  edits?: number;
  moved?: number;
}

function runCc(cc: string[], args: string[], cwd: string, capture = false) {
  const r = spawnSync(cc[0], [...cc.slice(1), ...args], { cwd, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'latin1', maxBuffer: 256 << 20 });
  if (r.error) throw new Error(`${cc[0]}: ${r.error.message}`);
  return { status: r.status ?? 128 + 9, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const inside = (dir: string, f: string) => {
  const rel = path.relative(dir, f);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/** The rewritten tree among the include folders: <tree>/Include holds pyglobal.h and patchlevel.h. */
export function findRewrittenTree(call: CompilerCall, cwd: string): string | undefined {
  for (const { dir } of call.includeDirs) {
    const abs = path.resolve(cwd, dir);
    if (path.basename(abs) === 'Include' && fs.existsSync(path.join(abs, 'pyglobal.h')) && fs.existsSync(path.join(abs, 'patchlevel.h'))) return path.dirname(abs);
  }
  return undefined;
}

function commonAncestor(dirs: string[]): string {
  let common = dirs[0];
  for (const d of dirs.slice(1)) while (common !== path.dirname(common) && !(d === common || inside(common, d))) common = path.dirname(common);
  return common;
}

export async function compileUnit(opts: UnitOptions): Promise<UnitResult> {
  const call = parseCompilerArgs(opts.args);
  const passThrough = (why: string): UnitResult => ({ status: runCc(opts.cc, opts.args, opts.cwd).status, action: 'pass-through', why });
  if (!call.compileOnly || call.preprocessOnly || !call.sources.length) return passThrough('not a compile of C sources');
  if (call.explicitLanguage) return passThrough('-x names the language; left to the compiler');
  if (call.sources.length > 1) {
    // `cc -c a.c b.c`: one unit each, as the compiler would make them.
    let status = 0;
    for (const i of call.sources) {
      const args = opts.args.filter((_, j) => j === i || !call.sources.includes(j));
      const r = await compileUnit({ ...opts, args });
      status ||= r.status;
    }
    return { status, action: 'rewritten' };
  }
  const python = opts.python ?? findRewrittenTree(call, opts.cwd);
  if (!python) return passThrough('no rewritten CPython tree among the -I folders (set PYGLOBAL_PYTHON to name one)');
  const roots = (opts.roots?.length ? opts.roots : ['.']).map((r) => {
    const abs = path.resolve(opts.cwd, r);
    return fs.existsSync(abs) ? fs.realpathSync(abs) : abs;
  });
  const ownFile = (f: string) => roots.some((r) => inside(r, f));
  // The mirror keeps the files' places relative to the folders' common ancestor, so every
  // quoted include between them (../include/x.h, a generated .inc) finds its copy.
  const root = commonAncestor(roots);
  const pyRoot = fs.realpathSync(path.resolve(opts.cwd, python));
  const srcArg = opts.args[call.sources[0]];
  const src = fs.realpathSync(path.resolve(opts.cwd, srcArg));
  if (!ownFile(src)) return passThrough(`${src} is outside the package folders ${roots.join(', ')} (set PYGLOBAL_ROOT)`);

  // The unit's files, as the preprocessor finds them with these very flags.
  const deps = runCc(opts.cc, [...preprocessorArgs(call), '-M', srcArg], opts.cwd, true);
  if (deps.status !== 0) {
    // The compiler's own error is the one to show: compile the original and report that.
    return { ...passThrough('the preprocessor failed'), action: 'compiler-error' };
  }
  const work = opts.work ? path.resolve(opts.cwd, opts.work) : undefined;
  const own = [...new Set(parseDepRule(deps.stdout).map((f) => path.resolve(opts.cwd, f)))]
    .map((f) => (fs.existsSync(f) ? fs.realpathSync(f) : f))
    .filter((f) => ownFile(f) && !inside(pyRoot, f) && f !== pyRoot && !(work && inside(work, f)) && !f.includes('.pyglobal' + path.sep));
  if (!own.includes(src)) own.unshift(src);

  const object = path.resolve(opts.cwd, call.output ?? path.basename(srcArg).replace(/\.[^.]+$/, '.o'));
  const mirror = work
    ? path.join(work, crypto.createHash('sha1').update(object).digest('hex').slice(0, 12))
    : `${object}.pyglobal`;
  fs.rmSync(mirror, { recursive: true, force: true });
  const rels = own.map((f) => path.relative(root, f));
  for (const [i, f] of own.entries()) {
    const to = path.join(mirror, rels[i]);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(f, to);
  }
  const back = (rel: string) => path.join(root, rel);
  const refuse = (why: string, findings: Finding[]): UnitResult => {
    for (const f of findings) opts.log(`${back(f.file)}:${f.line}:${f.column}: ${f.severity}: ${f.message} [pyglobal ${f.ruleId}]`);
    opts.log(`pyglobal-cc: ${why}; the rewritten copy is in ${mirror}`);
    return { status: 1, action: 'refused', why, mirror, own: rels };
  };

  const applied = await applyTree(mirror, { python: pyRoot, unit: true });
  const applyErrors = applied.findings.filter((f) => f.severity === 'error');
  if (applyErrors.length) return refuse(`${path.relative(opts.cwd, src)}: apply could not rewrite this unit`, applyErrors);
  // The gate: what the compiler is about to build must pass check, or the build stops here.
  const checked = checkTree(mirror, { python: pyRoot, unit: true });
  let errors = checked.report.findings.filter((f) => f.severity === 'error');
  if (opts.baseline) {
    const file = path.resolve(opts.cwd, opts.baseline);
    errors = applyBaseline(errors, parseBaseline(fs.readFileSync(file, 'utf8'), file)).remaining;
  }
  for (const f of checked.report.findings.filter((f) => f.severity !== 'error')) opts.log(`${back(f.file)}:${f.line}:${f.column}: ${f.severity}: ${f.message} [pyglobal ${f.ruleId}]`);
  if (errors.length) return refuse(`${path.relative(opts.cwd, src)}: check finds ${errors.length} globals or calls still shared after apply`, errors);

  // Compile the mirror: its source in place of the original, its copies of the package's include
  // folders ahead of the originals (quoted includes find the copies next to the includer anyway).
  const args: string[] = [];
  const dirs = new Map(call.includeDirs.map((d) => [d.at, d]));
  for (let i = 0; i < opts.args.length; i++) {
    if (i === call.sources[0]) {
      args.push(path.join(mirror, path.relative(root, src)));
      continue;
    }
    const d = dirs.get(i);
    if (d) {
      const abs = path.resolve(opts.cwd, d.dir);
      const real = fs.existsSync(abs) ? fs.realpathSync(abs) : abs;
      if (ownFile(real) || roots.includes(real)) args.push(d.option, path.join(mirror, path.relative(root, real)));
    }
    args.push(opts.args[i]);
    if (d && !d.joined) args.push(opts.args[++i]);
  }
  const edits = applied.plan.edits;
  const moved = applied.plan.moved.length;
  fs.writeFileSync(path.join(mirror, 'pyglobal-cc.json'), JSON.stringify({ source: src, object, python: pyRoot, own: rels, edits, moved, args }, null, 2) + '\n');
  const r = runCc(opts.cc, args, opts.cwd);
  return { status: r.status, action: 'rewritten', source: src, mirror, own: rels, edits, moved };
}
