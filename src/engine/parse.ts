// tree-sitter-c over latin1-decoded text: one byte is one UTF-16 unit, so node indexes are byte offsets.
import Parser from 'tree-sitter';
import C from 'tree-sitter-c';

let parser: Parser | undefined;

function getParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(C as any);
  }
  return parser;
}

export type Tree = Parser.Tree;
export type SyntaxNode = Parser.SyntaxNode;

export function parseC(text: string): Tree {
  // The default callback input reads in 1 KB chunks; a larger buffer matters for 1 MB headers.
  return getParser().parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length + 1) } as any);
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
