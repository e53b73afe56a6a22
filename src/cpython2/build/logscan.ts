// Reads the merged stdout+stderr of configure / make / setup.py line by line and keeps the
// counts the build report needs. Pure: feed it lines, read the tally; tests use literal lines.

export interface CompileLine {
  /** The object file named by -o. */
  object: string;
  /** Every argument, split on blanks (good enough to look for a flag). */
  args: string[];
}

const compilerRe = /^(?:\S*\/)?(?:gcc|cc|clang|c\+\+|g\+\+)(?:-\d+)?\s/;

/** A compiler invocation that produces an object file (`-c ... -o x.o`), else undefined. */
export function parseCompileLine(line: string): CompileLine | undefined {
  if (!compilerRe.test(line)) return undefined;
  const args = line.trim().split(/\s+/);
  if (!args.includes('-c')) return undefined;
  const o = args.indexOf('-o');
  const object = o >= 0 ? args[o + 1] : undefined;
  if (!object || !object.endsWith('.o')) return undefined;
  return { object, args };
}

// gcc prints "file:line:col: warning: ..." and the linker "...: warning: the use of ..."; with
// LC_ALL=C these words are not translated.
const warningRe = /(^|:\s*)warning:\s/;
// GNU as says "file:line: Error: ..." (a .S source, or a prelude it was handed by mistake).
const errorRe = /(^|:\s*)(fatal error|error):\s|^\S+:\d+: Error:\s/;

export function isWarning(line: string): boolean {
  return warningRe.test(line);
}
export function isError(line: string): boolean {
  return errorRe.test(line);
}

/**
 * Where a warning line points and what it says: gcc's "file:line:col: warning: text [-Wflag]" and
 * ld's "file:line: warning: the use of ..." (ld names the source of the calling function). The
 * file is as printed (absolute for setup.py's compiles, with a "./" for some of make's); the text
 * drops nothing but the location, so two builds compare by file + text whatever the line numbers.
 * undefined: a warning line that names no file (ld's own "warning: ...", say).
 */
export function warningSite(line: string): { file: string; text: string } | undefined {
  const m = /^(\S+?):\d+:(?:\d+:)?\s*warning:\s+(.*)$/.exec(line.trim());
  // gcc without LC_ALL=C quotes with U+2018/U+2019; the build sets LC_ALL=C, but logs of other builds may not
  return m ? { file: m[1], text: m[2].replace(/[\u2018\u2019]/g, "'") } : undefined;
}

/** The lines of make's output where the `sharedmods` step (setup.py build) begins. */
export function startsExtensionBuild(line: string): boolean {
  return /^running build(_ext)?$/.test(line.trim()) || /\bsetup\.py\b.*\bbuild\b/.test(line);
}

/** distutils' "building 'name' extension" line, else undefined. */
export function extensionBuildingName(line: string): string | undefined {
  return /^building '([^']+)' extension$/.exec(line.trim())?.[1];
}

/** setup.py's "*** WARNING: renaming "x" since importing it failed: why". */
export function importFailure(line: string): { name: string; why: string } | undefined {
  const m = /WARNING: renaming "([^"]+)" since importing it failed: (.*)$/.exec(line);
  if (m) return { name: m[1], why: m[2] };
  const m2 = /WARNING: importing extension "([^"]+)" failed with (.*)$/.exec(line);
  return m2 ? { name: m2[1], why: m2[2] } : undefined;
}

export interface ExtensionAttempt {
  name: string;
  /** The first compiler or linker error printed while this extension was being built. */
  firstError?: string;
  importError?: string;
}

/**
 * The two lists 2.7's setup.py prints when it is done (2.4's prints neither): "Python build
 * finished, but the necessary bits to build these modules were not found:" and "Failed to build
 * these modules:", each a block of names in columns. undefined: setup.py printed no such list.
 */
export interface SetupReport {
  notFound?: string[];
  failed?: string[];
}

const reportHeads: [RegExp, keyof SetupReport][] = [
  [/necessary bits to build these modules were not found:\s*$/, 'notFound'],
  [/^Failed to build these modules:\s*$/, 'failed'],
];

/** Running tally over one phase's lines. */
export class LogTally {
  warnings = 0;
  errors = 0;
  /** Each warning that names a file: "file\0text" -> how many times it was printed. */
  warningSites = new Map<string, number>();
  compiled: CompileLine[] = [];
  attempts: ExtensionAttempt[] = [];
  setupReport: SetupReport = {};
  private reportList?: string[];
  /** The first error of the phase: with make -j, the tail of the log may belong to another job. */
  firstError?: string;
  private current?: ExtensionAttempt;

  feed(line: string): { compiled?: CompileLine; building?: string } {
    if (this.reportList) {
      // A block of names ends at a blank line or at setup.py's "To find the necessary bits" hint.
      if (/^[A-Za-z0-9_. ]+$/.test(line) && line.trim() && !/^To find /.test(line)) {
        this.reportList.push(...line.trim().split(/\s+/));
        return {};
      }
      this.reportList = undefined;
    }
    for (const [re, key] of reportHeads) {
      if (re.test(line.trim())) {
        this.reportList = this.setupReport[key] = [];
        return {};
      }
    }
    if (isWarning(line)) {
      this.warnings++;
      const w = warningSite(line);
      if (w) {
        const key = `${w.file}\0${w.text}`;
        this.warningSites.set(key, (this.warningSites.get(key) ?? 0) + 1);
      }
    }
    if (isError(line)) {
      this.errors++;
      this.firstError ??= line.trim();
      if (this.current && !this.current.firstError) this.current.firstError = line.trim();
    }
    const failed = importFailure(line);
    if (failed) {
      const a = this.attempts.find((x) => x.name === failed.name);
      if (a) a.importError = failed.why;
      else this.attempts.push({ name: failed.name, importError: failed.why });
    }
    const building = extensionBuildingName(line);
    if (building) {
      this.current = { name: building };
      this.attempts.push(this.current);
      return { building };
    }
    const compiled = parseCompileLine(line);
    if (compiled) {
      this.compiled.push(compiled);
      return { compiled };
    }
    return {};
  }
}

/** Lines a compile command prints that lack one of the required flags (the -fwrapv check). */
export function compilesMissingFlags(
  compiled: CompileLine[],
  required: string[],
): { object: string; missing: string[] }[] {
  const out: { object: string; missing: string[] }[] = [];
  for (const c of compiled) {
    const missing = required.filter((f) => !c.args.includes(f));
    if (missing.length) out.push({ object: c.object, missing });
  }
  return out;
}
