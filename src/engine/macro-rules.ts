// What a macro means for declarations. The engine knows these kinds; which macro has which
// meaning is data (rules/macros/*.json), so the engine carries no CPython names.
import type { Classification } from './model.ts';

export type MacroRule =
  /** `M` is a storage-class keyword, e.g. staticforward → static. */
  | { kind: 'storage'; name: string; means: 'static' | 'extern'; reason: string }
  /** `M` stands for a word of the same or greater length, e.g. PyMODINIT_FUNC → void. */
  | { kind: 'replace'; name: string; means: string; reason: string }
  /** `M(T)` wraps a type: `M(T) x;` means `<means> T x;` (means may be ''). */
  | { kind: 'wrapper'; name: string; means: string; reason: string }
  /** `M` or `M(...)` contributes nothing to declarations: erase it. */
  | { kind: 'erase'; name: string; args: boolean; reason: string; marksThreadLocal?: boolean }
  /** `M` stands for member declarations inside a struct body. */
  | { kind: 'fields'; name: string; reason: string }
  /** `M` or `M(...)` is a statement that needs no `;`; it opens a block, closes one, or stands alone. */
  | { kind: 'statement'; name: string; args: boolean; means: '{' | '}' | ';'; reason: string }
  /** `M(...)` is initializer text that carries its own trailing comma. */
  | { kind: 'initializer-comma'; name: string; reason: string }
  /**
   * `M(name, ...)` declares a variable: e.g. a docstring macro means `static char name[] = "..."`.
   * Argument indexes are 0-based.
   */
  | {
      kind: 'declares';
      name: string;
      storage: 'static' | 'extern' | 'none';
      type: string;
      array: boolean;
      isConst: boolean;
      nameArg: number;
      initArg?: number;
      classification?: Classification;
      reason: string;
      /** This macro's declarations are already thread-local (the rewrite's own variant). */
      threadLocal?: boolean;
      /** The macro to use instead when a declaration it makes must be thread-local, and its definition. */
      tlsVariant?: string;
      tlsDefine?: string;
    };

export type MacroRules = Map<string, MacroRule>;
