// C++ globals that are not plain C data: objects whose type runs a constructor or destructor,
// references, static data members. No storage-class prefix makes them thread-local everywhere:
// old MSVC refuses __declspec(thread) on an object with a constructor or destructor (C2483),
// gcc's __thread wants constant initialization, and C++11 thread_local is the way where the
// compiler has it. So the scan says why, and the CPython layer leaves them to a reviewer.
import type { SyntaxNode, Tree } from './parse.ts';

/** Why a C++ global is not plain data. `object`: construction or destruction runs; `reference`: bound once, never rebound. */
export interface CxxNature {
  kind: 'object' | 'reference' | 'member';
  why: string;
}

/**
 * Standard types that are plain data (std::size_t and the <cstdint> names): everything else
 * spelled std:: is a class with a constructor or destructor (string, vector, map, mutex, ...).
 */
const stdPlain = /^std::(size_t|ptrdiff_t|nullptr_t|byte|u?int(8|16|32|64|ptr|max)_t|u?int_(fast|least)(8|16|32|64)_t|max_align_t)$/;

/** Names of the classes and structs of a tree with a user constructor or destructor, or a member that has one. */
export function classesWithLifetime(tree: Tree): Set<string> {
  const out = new Set<string>();
  const walk = (n: SyntaxNode) => {
    for (const c of n.namedChildren) {
      if ((c.type === 'class_specifier' || c.type === 'struct_specifier') && c.childForFieldName('body')) {
        const name = c.childForFieldName('name')?.text;
        if (name && hasLifetime(c.childForFieldName('body')!, name, out)) out.add(name);
      }
      // Classes sit at file scope, in namespaces and extern "C" blocks, and in declarations (`struct S {...} s;`).
      if (c.type === 'namespace_definition' || c.type === 'linkage_specification' || c.type === 'declaration_list' || c.type === 'declaration' || c.type === 'type_definition' || c.type.startsWith('preproc_')) walk(c);
    }
  };
  walk(tree.rootNode);
  return out;
}

function hasLifetime(body: SyntaxNode, name: string, known: Set<string>): boolean {
  for (const m of body.namedChildren) {
    if (m.type === 'function_definition' || m.type === 'declaration') {
      let d: SyntaxNode | null = m.childForFieldName('declarator');
      while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
      const id = d?.childForFieldName('declarator');
      if (id && (id.type === 'destructor_name' || (id.type === 'identifier' && id.text === name))) return true;
    } else if (m.type === 'field_declaration' && !m.children.some((c) => c.type === 'storage_class_specifier' && c.text === 'static')) {
      const decl = m.childForFieldName('declarator');
      const type = m.childForFieldName('type');
      if (decl && type && decl.type !== 'pointer_declarator' && decl.type !== 'reference_declarator' && typeLifetime(type, known)) return true;
    }
  }
  return false;
}

/** Why objects of this type (the declaration's `type` node) run a constructor or destructor, if they do. */
export function typeLifetime(type: SyntaxNode, classes: Set<string>): string | undefined {
  if (type.type === 'qualified_identifier' && type.text.startsWith('std::')) {
    const t = type.text.replace(/\s+/g, '');
    return stdPlain.test(t) ? undefined : `${t.replace(/<.*/, '<...>')} is a standard class with a constructor and destructor`;
  }
  if (type.type === 'template_type') return `${type.childForFieldName('name')?.text ?? 'a template'}<...> is a class template instance`;
  if ((type.type === 'type_identifier' || type.type === 'class_specifier' || type.type === 'struct_specifier') && classes.has(type.type === 'type_identifier' ? type.text : type.childForFieldName('name')?.text ?? '')) {
    const name = type.type === 'type_identifier' ? type.text : type.childForFieldName('name')!.text;
    return `class ${name} has a user constructor or destructor`;
  }
  return undefined;
}

/**
 * What a C++ declaration's variable is, if it is not plain data. `target` is its declarator,
 * `init` the initializer node, `pointer` whether the nearest derivation is a pointer (a pointer
 * to an object is plain data whatever the object is).
 */
export function cxxNatureOf(type: SyntaxNode | null, target: SyntaxNode, init: SyntaxNode | null, pointer: boolean, classes: Set<string>): CxxNature | undefined {
  if (target.type === 'reference_declarator' || target.type === 'rvalue_reference_declarator') {
    return { kind: 'reference', why: 'a C++ reference is bound once and never rebound; what it refers to is a variable of its own' };
  }
  for (let d: SyntaxNode | null = target; d; d = d.childForFieldName('declarator') ?? (d.type === 'parenthesized_declarator' ? d.namedChildren[0] ?? null : null)) {
    if (d.type === 'qualified_identifier') {
      return { kind: 'member', why: `${d.text} is a static data member: its declaration inside the class must be thread-local too, which apply does not edit` };
    }
  }
  if (pointer) return undefined;
  const fromType = type ? typeLifetime(type, classes) : undefined;
  if (fromType) return { kind: 'object', why: fromType };
  // `T x(args)` calls a constructor unless T is a scalar: `int n(3)` is plain data.
  if (init?.type === 'argument_list' && type && type.type !== 'primitive_type' && type.type !== 'sized_type_specifier') {
    return { kind: 'object', why: `${type.text} x(...) is initialized by a constructor call` };
  }
  return undefined;
}
