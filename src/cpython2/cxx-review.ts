// C++ globals that PYGLOBAL cannot make thread-local: what classify, check and apply say of them.
// Old MSVC refuses __declspec(thread) on an object with a constructor or destructor (C2483) and
// gcc's __thread wants constant initialization; C++11 thread_local handles both where the
// compiler has it. Whether such a global may stay process-wide is a reviewer's call, so apply
// never edits it and check fails on it until it is changed or accepted in a baseline.
import type { Classification, Declaration, Finding, Global } from '../engine/model.ts';
import type { RuleDescriptor } from '../report/check-report.ts';

export const cxxReviewRuleId = 'cxx-needs-review';

export const cxxReviewRule: RuleDescriptor = {
  id: cxxReviewRuleId,
  shortDescription: 'A C++ global that PYGLOBAL cannot make thread-local: an object with a constructor or destructor, or a static data member',
  helpText:
    'Old MSVC refuses __declspec(thread) on an object with a constructor or destructor (error C2483), and gcc\'s __thread needs constant initialization, so apply leaves these alone. ' +
    'Declare it C++11 thread_local where the compiler has it; or make it a pointer set in init<module>, or const; or, if it is truly process-wide (set once before any interpreter starts, then only read), accept it in a baseline with that reason.',
  defaultSeverity: 'error',
};

const c2483 = 'old MSVC refuses __declspec(thread) on it (C2483) and __thread needs a constant initializer; use C++11 thread_local where the compiler has it, or review it as process-wide';

/** The classification of a C++ global that is not plain data (see engine/cxx-objects.ts). */
export function cxxDecision(cxx: NonNullable<Declaration['cxx']>): { classification: Classification; reason: string; reasonSource: string } {
  if (cxx.kind === 'reference') return { classification: 'shared-immutable', reason: cxx.why, reasonSource: 'analysis:cxx-reference' };
  return { classification: 'shared-process', reason: `needs review: ${cxx.why}; ${c2483}`, reasonSource: `analysis:cxx-${cxx.kind}` };
}

export function needsCxxReview(g: Global): boolean {
  return g.reasonSource === 'analysis:cxx-object' || g.reasonSource === 'analysis:cxx-member';
}

/** check's finding (an error) or apply's (a warning: nothing blocks the rest of the rewrite). */
export function cxxReviewFinding(g: Global, severity: 'error' | 'warning'): Finding {
  const d = g.definition ?? g.declarations[0];
  const where = g.function ? `static in ${g.function}(), ` : '';
  return {
    file: d.file,
    line: d.line,
    column: d.column,
    ruleId: cxxReviewRuleId,
    severity,
    message: `${where}${g.name} ${severity === 'warning' ? 'left as it is, ' : ''}${g.reason}`,
    name: g.name,
    function: g.function,
  };
}
