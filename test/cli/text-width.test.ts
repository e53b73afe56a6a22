// The CLI's yargs measures and wraps help columns with src/cli/text-width.ts instead of
// string-width and wrap-ansi (they cost more at start than the rest of --help). Both must print
// the same: every help screen and usage error, at several widths, and the wrap on hard cases.
import { afterEach, describe, expect, it } from 'vitest';
import stockYargs from 'yargs';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { textWidth, wrapText } from '../../src/cli/text-width.ts';
import { commands } from '../../src/cli/commands/index.ts';
import { runCli } from './capture.ts';

const columns = Object.getOwnPropertyDescriptor(process.stdout, 'columns');
afterEach(() => {
  if (columns) Object.defineProperty(process.stdout, 'columns', columns);
  else delete (process.stdout as { columns?: number }).columns;
});

describe('help screens', () => {
  const screens = [['--help'], [], ['scna'], ...commands.map((c) => [c.command.split(' ')[0], '--help']), ['scan', '--bogus']];
  for (const width of [undefined, 60, 80, 200]) {
    it(`are what stock yargs prints, ${width ?? 'no'} terminal columns`, async () => {
      Object.defineProperty(process.stdout, 'columns', { value: width, configurable: true, writable: true });
      for (const argv of screens) {
        const light = await runCli(argv);
        const stock = await runCli(argv, stockYargs);
        expect(light, argv.join(' ')).toEqual(stock);
      }
    });
  }
});

describe('wrapText and textWidth', () => {
  const samples = [
    '',
    '   ',
    'one two  three   four',
    'a word-that-is-much-longer-than-the-line-is-wide-and-then-some, then more words after it',
    'trailing spaces   ',
    '  leading spaces and a tab\there',
    'line one\nline two is longer than the others\r\nline three',
    'Exit codes: 0 clean · 1 findings × 2 bad input, café',
    'exactly ten',
    'x'.repeat(30),
    `${'y'.repeat(9)} ${'z'.repeat(11)}`,
  ];
  it('wrap as wrap-ansi with { hard: true } and without, at every width', () => {
    for (const s of samples) {
      for (let w = 1; w <= 40; w++) {
        expect(wrapText(s, w, { hard: true }), `${JSON.stringify(s)} at ${w}`).toBe(wrapAnsi(s, w, { hard: true }));
        expect(wrapText(s, w), `${JSON.stringify(s)} at ${w}`).toBe(wrapAnsi(s, w));
      }
    }
  });
  it('measure as string-width, wide and colored text included', () => {
    for (const s of [...samples, '漢字 and 한국어', '\u001b[31mred\u001b[39m', 'e\u0301', '👍 ok']) expect(textWidth(s), s).toBe(stringWidth(s));
  });
});
