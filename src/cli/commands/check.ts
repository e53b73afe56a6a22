import fs from 'node:fs';
import type { Command } from './types.ts';
import { openTarget, isExtension } from '../../cpython2/target/index.ts';
import { cxxNotice } from '../../cpython2/target/extension.ts';
import { checkTree, checkRules } from '../../cpython2/check.ts';
import { formatText } from '../../report/findings-text.ts';
import { formatJson } from '../../report/findings-json.ts';
import { formatSarif } from '../../report/sarif.ts';
import { applyBaseline, parseBaseline, writeBaseline, staleBaselineRuleId } from '../../report/baseline.ts';
import { progress, logInfo } from '../log.ts';
import { writeReport } from '../output.ts';
import { UsageError, exitCodes } from '../errors.ts';

export const checkCommand: Command = {
  builder: (y) =>
    y
      .positional('src', { type: 'string', describe: 'a tree rewritten by pyglobal apply (default: the bundled fixture)' })
      .option('python', { type: 'string', describe: 'src is a folder of extension sources; this is the rewritten CPython tree it builds against' })
      .option('format', { choices: ['text', 'json', 'sarif'] as const, default: 'text', describe: 'report format; sarif is SARIF 2.1.0 for GitHub code scanning' })
      .option('output', { alias: 'o', type: 'string', describe: 'write the report to this file instead of stdout' })
      .option('baseline', { type: 'string', describe: 'accept the findings listed in this file (keyed by rule, file, function, name: not lines)' })
      .option('write-baseline', { type: 'string', describe: 'write every current finding to this file as a baseline, then exit 0' })
      .example('$0 check ~/src/py24', 'exit 1 and file:line:col for each unmarked global')
      .example('$0 check . --format sarif -o pyglobal.sarif', 'for github/codeql-action/upload-sarif')
      .example('$0 check . --write-baseline pyglobal-baseline.json', 'accept what is there today; new findings still fail')
      .example('$0 check ./mymodule --python /tmp/py24-tls', 'an extension folder, against the rewritten tree it builds with')
      .epilogue(
        [
          'A global passes when every declaration of it carries PYGLOBAL, or when it is shared with a reason:',
          'a reviewed row in rules/reviewed/, a macro rule (docstrings), or the analysis (const, never written).',
          'A call of a C library function that keeps static state (rules/libc-calls.json: localtime, getpwuid,',
          'setlocale, ...) passes when it goes through its thread-safe PyGlobals_NAME form (apply writes it), when',
          'the rule says it is safe, or when a row of rules/reviewed-libc-sites.json reviews that call site.',
          'Parse problems are reported as warnings with file:line, never skipped silently.',
          '',
          'With --python, src is a folder of extension sources: the tree\'s headers are read as context, findings are about the folder only.',
          'Exit codes: 0 clean · 1 findings (errors) · 2 bad input (not a 2.4 tree, unreadable file, bad baseline, a folder with no .c files, a --python that is not a rewritten tree).',
          'Rules: ' + checkRules.map((r) => r.id).join(', ') + ', ' + staleBaselineRuleId + '.',
        ].join('\n'),
      ),
  run: async (args) => {
    if (args.python !== undefined) {
      const t = openTarget(args.src, { python: args.python });
      const notice = isExtension(t) ? cxxNotice(t) : undefined;
      if (notice) logInfo(notice);
    }
    const p = progress('check');
    const { report } = checkTree(args.src, { python: args.python, onProgress: (i, n, f) => p.update(`${i}/${n} ${f}`) });
    p.done();
    if (args.writeBaseline) {
      fs.writeFileSync(args.writeBaseline, writeBaseline(report.findings.filter((f) => f.severity === 'error')));
      logInfo(`wrote ${args.writeBaseline}: ${report.findings.filter((f) => f.severity === 'error').length} accepted findings`);
      return exitCodes.ok;
    }
    if (args.baseline) {
      let text: string;
      try {
        text = fs.readFileSync(args.baseline, 'utf8');
      } catch (e) {
        throw new UsageError(`${args.baseline}:1: cannot read baseline: ${(e as NodeJS.ErrnoException).code}`);
      }
      let baseline;
      try {
        baseline = parseBaseline(text, args.baseline);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const r = applyBaseline(report.findings, baseline);
      report.findings = [...r.remaining, ...r.staleFindings];
      if (r.suppressed.length) logInfo(`baseline accepted ${r.suppressed.length} findings`);
    }
    if (!report.rules.some((r) => r.id === staleBaselineRuleId)) {
      report.rules.push({ id: staleBaselineRuleId, shortDescription: 'A baseline entry matches no finding', helpText: 'Remove the entry from the baseline file.', defaultSeverity: 'error' });
    }
    const fmt = args.format as 'text' | 'json' | 'sarif';
    const out = fmt === 'json' ? formatJson(report) : fmt === 'sarif' ? formatSarif(report) : formatText(report, { color: !args.output && process.stdout.isTTY && !process.env.NO_COLOR });
    await writeReport(out, args.output);
    return report.findings.some((f) => f.severity === 'error') ? exitCodes.findings : exitCodes.ok;
  },
};
