// The part of a file's parse that needs the syntax tree, as a pure function of plain data: a
// masked text in, its declarations, parse errors and a few enclosing function names out. Cut
// here, a pool worker runs only tree-sitter and the tree walk while the caller tokenizes and
// masks the next files: each thread compiles (JIT) only its own half of the code, where two
// threads each running the whole scan spent a core's worth of time optimizing the same code twice.
import { parseC, countErrors, type ErrorCounts, type Lang, type Tree } from './parse.ts';
import { extractDeclarations, type RawDeclaration } from './declarations.ts';
import type { Span } from './skip-bodies.ts';

export interface TreeJob {
  /** The file's own text: declarations are read from it at the tree's offsets. */
  text: string;
  /** The length-preserving masked copy that tree-sitter parses. */
  masked: string;
  lang: Lang;
  /** Function bodies left out of the parse (skip-bodies.ts), and the file's line starts to place them. */
  spans: Span[];
  lines: number[];
  forwardMacros: Set<string>;
  renames: Map<number, string>;
  tlsMarkers: string[];
  /** Offsets whose enclosing function definition the rest of the file's scan asks about. */
  functionsAt: number[];
}

export interface TreeFacts {
  raw: RawDeclaration[];
  errors: ErrorCounts;
  /** The name of the function definition around each of the job's functionsAt, if any. */
  functions: (string | undefined)[];
}

export function treeFacts(job: TreeJob): TreeFacts {
  const tree = parseC(job.masked, job.lang, { spans: job.spans, lines: job.lines });
  const errors = countErrors(tree);
  const raw = extractDeclarations(tree, job.text, { forwardMacros: job.forwardMacros, renames: job.renames, tlsMarkers: job.tlsMarkers, masked: job.masked, cxx: job.lang === 'cxx' });
  return { raw, errors, functions: job.functionsAt.map((o) => enclosingFunction(tree, o)) };
}

/** A masked text whose parse errors are wanted (apply's guard, parse-errors.ts), bodies in spans left out. */
export interface CountJob {
  masked: string;
  lang: Lang;
  spans: Span[];
  lines: number[];
}

/** What tree-worker.ts is sent: a file's TreeJobs, one per context, or a text to count errors in. */
export type TreeRequest = TreeJob[] | { count: CountJob };

export function errorCount(job: CountJob): number {
  const e = countErrors(parseC(job.masked, job.lang, job.spans.length ? { spans: job.spans, lines: job.lines } : undefined));
  return e.errorNodes + e.missingNodes;
}

export function enclosingFunction(tree: Tree, offset: number): string | undefined {
  for (let n: any = tree.rootNode.descendantForIndex(offset); n; n = n.parent) {
    if (n.type === 'function_definition') {
      let d = n.childForFieldName('declarator');
      while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
      let id = d?.childForFieldName('declarator');
      while (id && id.type !== 'identifier') id = id.childForFieldName('declarator') ?? id.namedChildren[0];
      return id?.text ?? '?';
    }
  }
  return undefined;
}
