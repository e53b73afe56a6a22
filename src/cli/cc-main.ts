// pyglobal-cc: a C compiler wrapper that distutils, make and scons take through CC. Each compile
// is rewritten in a mirror (src/cpython2/extension/cc-unit.ts) and built from there; links,
// preprocessing and compiles that do not use a rewritten Python pass through unchanged.
import fs from 'node:fs';
import path from 'node:path';
import { compileUnit } from '../cpython2/extension/cc-unit.ts';
import { C_SOURCE, CXX_SOURCE } from '../cpython2/extension/cc-args.ts';

export const ccHelp = `pyglobal-cc: build an extension package's C, unchanged on disk, into a thread-local build of it

  CC="pyglobal-cc gcc" /path/to/tls-build/python setup.py build

Each compile (-c) of a C source is rewritten the way \`pyglobal apply <folder> --python <tree>\`
rewrites a folder: the source and every header or .inc it includes from the package (generated
ones too) are copied to <object>.pyglobal/, rewritten there, gated by check, and the real
compiler builds the object from that copy. Anything else (links, -E, -M, compiles that do not
see a rewritten Python) runs the real compiler unchanged.

The first argument is the real compiler when it is not an option or a file (as with ccache);
otherwise $PYGLOBAL_REAL_CC, else gcc.

Environment:
  PYGLOBAL_PYTHON   the rewritten CPython tree (default: the -I folder whose Include/ has pyglobal.h)
  PYGLOBAL_ROOT     the package's folders, ':'-separated; files under them are rewritten, generated
                    ones in an out-of-tree build folder too (default: the working directory)
  PYGLOBAL_BASELINE reviewed findings to let through (a baseline from \`pyglobal check --write-baseline\`,
                    paths relative to PYGLOBAL_ROOT)
  PYGLOBAL_CC_WORK  put the mirrors under this folder instead of next to each object
  PYGLOBAL_CC_LOG   append one JSON line per compile to this file (what was rewritten, or why not)
  PYGLOBAL_CC_QUIET=1  no line per rewritten unit on stderr

Exit status: the compiler's; 1 when a unit cannot be rewritten or fails check (file:line on stderr).`;

function splitCompiler(argv: string[]): { cc: string[]; args: string[] } {
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !C_SOURCE.test(first) && !CXX_SOURCE.test(first) && !/\.(o|a|so)$/.test(first)) {
    return { cc: [first], args: argv.slice(1) };
  }
  return { cc: (process.env.PYGLOBAL_REAL_CC ?? 'gcc').split(/\s+/).filter(Boolean), args: argv };
}

export async function ccMain(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(ccHelp + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  const { cc, args } = splitCompiler(argv);
  const env = process.env;
  const log = (line: string) => process.stderr.write(line + '\n');
  try {
    const r = await compileUnit({ cc, args, cwd: process.cwd(), roots: env.PYGLOBAL_ROOT?.split(':').filter(Boolean), python: env.PYGLOBAL_PYTHON, work: env.PYGLOBAL_CC_WORK, baseline: env.PYGLOBAL_BASELINE, log });
    if (r.action === 'rewritten' && r.own && r.source && !env.PYGLOBAL_CC_QUIET) {
      log(`pyglobal-cc: ${path.relative(process.cwd(), r.source)}: ${r.own.length} files of the package, ${r.edits} edits, ${r.moved} initializers moved (${r.mirror})`);
    }
    if (env.PYGLOBAL_CC_LOG) fs.appendFileSync(env.PYGLOBAL_CC_LOG, JSON.stringify({ cwd: process.cwd(), args, ...r }) + '\n');
    return r.status;
  } catch (e) {
    log(`pyglobal-cc: ${(e as Error).message}`);
    return 2;
  }
}
