import { describe, expect, it } from 'vitest';
import { describeEnd, parsePymtLine, parsePymtStderr, type PymtRun } from '../../../src/cpython2/test/pymt-run.ts';

describe('pymt output parsing', () => {
  it('reads the fatal-signal report and Py_FatalError text from stderr', () => {
    const stderr = [
      'pymt: warning: something',
      'Fatal Python error: PyThreadState_Get: no current thread',
      'pymt: interpreter 1 round 7: killed by signal 6 (SIGABRT)',
      'pymt: interpreter (none: main thread) round 0: killed by signal 11 (SIGSEGV)',
    ].join('\n');
    expect(parsePymtStderr(stderr)).toEqual({
      deaths: [
        { interp: 1, round: 7, signal: 6, name: 'SIGABRT' },
        { interp: null, round: 0, signal: 11, name: 'SIGSEGV' },
      ],
      fatalErrors: ['Fatal Python error: PyThreadState_Get: no current thread'],
    });
  });
  it('parses records, keeps escaped bytes as Latin-1 characters, and rejects cut lines', () => {
    const r = parsePymtLine('{"type":"interp","round":1,"interp":0,"ok":true,"exit":0,"seconds":0.1,"reason":"","output":"caf\\u00e9\\n"}');
    expect(r).toMatchObject({ type: 'interp', output: 'café\n' });
    expect(parsePymtLine('{"type":"interp","round":1,"in')).toBeNull();
    expect(parsePymtLine('[0] hello')).toBeNull();
    expect(parsePymtLine('{"type":"other"}')).toBeNull();
  });
  it('describes how a process ended, with rounds counted globally', () => {
    const base: PymtRun = {
      records: [], exitCode: null, signal: 'SIGSEGV', deaths: [{ interp: 1, round: 2, signal: 11, name: 'SIGSEGV' }],
      fatalErrors: [], timedOut: false, stderr: '', seconds: 1, strayStdout: [],
    };
    expect(describeEnd(base, 10)).toBe('killed by SIGSEGV in interpreter 1, round 12');
    expect(describeEnd({ ...base, timedOut: true })).toMatch(/timeout/);
    expect(describeEnd({ ...base, signal: null, exitCode: 1, deaths: [] })).toBe('exit code 1');
  });
});
