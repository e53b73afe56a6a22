// Column width and word wrap for the help screens, without string-width: that module builds an
// Intl.Segmenter and Unicode-property regexes when it loads, about as long as the rest of
// `pyglobal --help` together. Text that is printable Latin-1 (all our help is) is one column per
// character; anything else goes to the real string-width, loaded only then.
// wrapText is wrap-ansi 9's algorithm (what cliui calls, with {hard: true}) for text without
// escape codes; test/cli/text-width.test.ts holds the two to the same output.
import { createRequire } from 'node:module';

const narrow = /^[\x20-\x7e\xa0-\xff]*$/;
// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*m/g;
let full: ((s: string) => number) | undefined;
let fullWrap: ((s: string, columns: number, opts: object) => string) | undefined;
const load = (name: string): unknown => (createRequire(import.meta.url)(name) as { default: unknown }).default;

export function stripAnsi(s: string): string {
  return s.replace(ansi, '');
}

export function textWidth(s: string): number {
  const plain = stripAnsi(s);
  if (narrow.test(plain)) return plain.length;
  full ??= load('string-width') as (s: string) => number;
  return full(plain);
}

/** wrap-ansi's wrapWord: a word longer than the line, broken at the column. */
function wrapWord(rows: string[], word: string, columns: number): void {
  let visible = textWidth(rows.at(-1)!);
  const chars = [...word];
  chars.forEach((ch, i) => {
    const w = textWidth(ch);
    if (visible + w <= columns) rows[rows.length - 1] += ch;
    else {
      rows.push(ch);
      visible = 0;
    }
    visible += w;
    if (visible === columns && i < chars.length - 1) {
      rows.push('');
      visible = 0;
    }
  });
  if (!visible && rows.at(-1)!.length > 0 && rows.length > 1) rows[rows.length - 2] += rows.pop();
}

function trimSpacesRight(row: string): string {
  const words = row.split(' ');
  let last = words.length;
  while (last > 0 && textWidth(words[last - 1]) === 0) last--;
  return last === words.length ? row : words.slice(0, last).join(' ') + words.slice(last).join('');
}

function wrapLine(line: string, columns: number, hard: boolean): string {
  if (line.trim() === '') return '';
  const words = line.split(' ');
  const lengths = words.map(textWidth);
  const rows = [''];
  words.forEach((word, i) => {
    rows[rows.length - 1] = rows.at(-1)!.trimStart();
    let rowLength = textWidth(rows.at(-1)!);
    if (i !== 0 && rowLength > 0) {
      rows[rows.length - 1] += ' ';
      rowLength++;
    }
    if (hard && lengths[i] > columns) {
      const breaksThisLine = 1 + Math.floor((lengths[i] - (columns - rowLength) - 1) / columns);
      const breaksNextLine = Math.floor((lengths[i] - 1) / columns);
      if (breaksNextLine < breaksThisLine) rows.push('');
      wrapWord(rows, word, columns);
      return;
    }
    if (rowLength + lengths[i] > columns && rowLength > 0 && lengths[i] > 0) rows.push('');
    rows[rows.length - 1] += word;
  });
  return rows.map(trimSpacesRight).join('\n');
}

/** wrap-ansi(text, columns, { hard }) for text without escape codes (trim and word wrap on, its defaults). */
export function wrapText(text: string, columns: number, opts: { hard?: boolean } = {}): string {
  if (String(text).includes('\x1b')) return (fullWrap ??= load('wrap-ansi') as typeof fullWrap)!(text, columns, opts);
  return String(text)
    .normalize()
    .replaceAll('\r\n', '\n')
    .split('\n')
    .map((line) => wrapLine(line, columns, !!opts.hard))
    .join('\n');
}
