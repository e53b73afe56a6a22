// tree-sitter-c (or tree-sitter-cpp, its twin, for C++ sources) over latin1-decoded text: one
// byte is one UTF-16 unit, so node indexes are byte offsets. tree-sitter-cpp's grammar extends
// tree-sitter-c's, so the node types the declaration walk reads are the same in both.
import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import Cpp from 'tree-sitter-cpp';
import { positionOf } from './lex.ts';

/** The language a file is parsed as. */
export type Lang = 'c' | 'cxx';

/**
 * C++ by extension: .cc/.cpp/.cxx/.C sources and .hpp/.hh/.hxx headers. A .h stays C: it is
 * what C and C++ share (Python.h, a module's C API header), and a C header parsed as C++ would
 * misread C code that is not C++ (`new` or `class` as a name, implicit void * conversions).
 */
export function languageOf(path: string): Lang {
  return /\.(cc|cpp|cxx|C|c\+\+|hpp|hh|hxx)$/.test(path) ? 'cxx' : 'c';
}

const parsers: Partial<Record<Lang, Parser>> = {};

function getParser(lang: Lang): Parser {
  let parser = parsers[lang];
  if (!parser) {
    parser = new Parser();
    parser.setLanguage((lang === 'cxx' ? Cpp : C) as any);
    parsers[lang] = parser;
  }
  return parser;
}

export type Tree = Parser.Tree;
export type SyntaxNode = Parser.SyntaxNode;

/**
 * Parses text; with `skip` (sorted, disjoint spans) and the file's line starts, those spans are
 * left out (tree-sitter's included ranges): the tree keeps the file's offsets and rows.
 */
export function parseC(text: string, lang: Lang = 'c', skip?: { spans: { start: number; end: number }[]; lines: number[] }): Tree {
  // The default callback input reads in 1 KB chunks; a larger buffer matters for 1 MB headers.
  const opts: Record<string, unknown> = { bufferSize: Math.max(32 * 1024, text.length + 1) };
  if (skip?.spans.length) opts.includedRanges = includedRanges(text.length, skip.spans, skip.lines);
  return getParser(lang).parse(text, undefined, opts as any);
}

function includedRanges(length: number, spans: { start: number; end: number }[], lines: number[]) {
  // tree-sitter refuses ranges out of order without a word and parses with the ranges of the
  // parse before: a wrong span must fail here, not give another file's errors.
  let last = 0;
  for (const s of spans) {
    if (s.start < last || s.end < s.start || s.end > length) throw new Error(`parseC: span ${s.start}-${s.end} out of order or outside the text (${length} units, previous span ending at ${last})`);
    last = s.end;
  }
  const point = (offset: number) => {
    const p = positionOf(lines, offset);
    return { row: p.line - 1, column: p.column - 1 };
  };
  const ranges = [];
  let from = 0;
  for (const s of [...spans, { start: length, end: length }]) {
    ranges.push({ startIndex: from, endIndex: s.start, startPosition: point(from), endPosition: point(s.start) });
    from = s.end;
  }
  return ranges;
}

export interface ErrorCounts {
  errorNodes: number;
  missingNodes: number;
  /** Byte ranges of top-level ERROR nodes, where declarations may have been lost. */
  topLevelErrors: { start: number; end: number }[];
}

export function countErrors(tree: Tree): ErrorCounts {
  const out: ErrorCounts = { errorNodes: 0, missingNodes: 0, topLevelErrors: [] };
  if (!tree.rootNode.hasError) return out;
  const c = tree.walk();
  let depth = 0;
  for (;;) {
    if (c.nodeType === 'ERROR') {
      out.errorNodes++;
      if (depth <= 1) out.topLevelErrors.push({ start: c.startIndex, end: c.endIndex });
    }
    if (c.nodeIsMissing) out.missingNodes++;
    // Only a node with children is worth asking (a SyntaxNode each: the costly part of the walk).
    if (c.gotoFirstChild()) {
      c.gotoParent();
      if (c.currentNode.hasError) {
        c.gotoFirstChild();
        depth++;
        continue;
      }
    }
    while (!c.gotoNextSibling()) {
      if (!c.gotoParent()) return out;
      depth--;
    }
  }
}
