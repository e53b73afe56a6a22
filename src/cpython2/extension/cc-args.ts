// Reads a C compiler's command line as gcc and clang spell it: which files it compiles, where
// the objects go, which include folders it searches. Only what the wrapper must change is
// understood; every other argument passes through untouched, in its place.

/** Options whose value is the next argument when written apart (`-o out.o`, `-I dir`). */
const TAKES_VALUE = new Set([
  '-o', '-I', '-D', '-U', '-include', '-imacros', '-isystem', '-iquote', '-idirafter', '-iprefix', '-iwithprefix',
  '-MF', '-MT', '-MQ', '-x', '-L', '-l', '-Xlinker', '-Xpreprocessor', '-Xassembler', '-arch', '-aux-info', '--param', '-target',
]);

/** Sources the wrapper rewrites, by extension (the language gcc would guess from the name). */
export const C_SOURCE = /\.(c|i)$/;
export const CXX_SOURCE = /\.(cc|cp|cxx|cpp|CPP|c\+\+|C)$/;

export interface CompilerCall {
  argv: string[];
  /** Indexes into argv of the source files (C and C++), in order. */
  sources: number[];
  /** `-c`: compile only, no link. */
  compileOnly: boolean;
  /** Preprocess or dependency-only runs (`-E`, `-M`, `-MM`): nothing to rewrite. */
  preprocessOnly: boolean;
  /** `-x <lang>` given: the language is not guessed from the file name. */
  explicitLanguage: boolean;
  output?: string;
  /** Include folders as given, each with the index of its option in argv. */
  includeDirs: { dir: string; at: number; joined: boolean; option: '-I' | '-iquote' }[];
}

export function parseCompilerArgs(argv: string[]): CompilerCall {
  const call: CompilerCall = { argv, sources: [], compileOnly: false, preprocessOnly: false, explicitLanguage: false, includeDirs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-c') call.compileOnly = true;
    else if (a === '-E' || a === '-M' || a === '-MM') call.preprocessOnly = true;
    else if (a === '-o') call.output = argv[++i];
    else if (a.startsWith('-o') && a.length > 2) call.output = a.slice(2);
    else if (a === '-x') {
      call.explicitLanguage = true;
      i++;
    } else if (a === '-I' || a === '-iquote') call.includeDirs.push({ dir: argv[i + 1], at: i++, joined: false, option: a });
    else if (a.startsWith('-I')) call.includeDirs.push({ dir: a.slice(2), at: i, joined: true, option: '-I' });
    else if (TAKES_VALUE.has(a)) i++;
    else if (!a.startsWith('-') && (C_SOURCE.test(a) || CXX_SOURCE.test(a))) call.sources.push(i);
  }
  return call;
}

/**
 * The flags that steer preprocessing, for a `-M` run that lists the unit's headers: everything
 * but the output, the dependency-file options and the sources.
 */
export function preprocessorArgs(call: CompilerCall): string[] {
  const out: string[] = [];
  const { argv } = call;
  const sources = new Set(call.sources);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (sources.has(i) || a === '-c') continue;
    if (a === '-o' || a === '-MF' || a === '-MT' || a === '-MQ') {
      i++;
      continue;
    }
    if (/^-o./.test(a) || a === '-MD' || a === '-MMD' || a === '-MP' || /^-M[FTQ]./.test(a)) continue;
    out.push(a);
  }
  return out;
}

/** The file names of a make rule as `gcc -M` prints it (backslash-newline continued, `\ ` escapes). */
export function parseDepRule(text: string): string[] {
  const body = text.replace(/\\\r?\n/g, ' ');
  const colon = body.search(/:(\s|$)/);
  const rest = colon < 0 ? body : body.slice(colon + 1);
  const names: string[] = [];
  let cur = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\' && rest[i + 1] === ' ') {
      cur += ' ';
      i++;
    } else if (/\s/.test(c)) {
      if (cur) names.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) names.push(cur);
  return names;
}
