// The pipeline chart writer: data in, SVG text out. Checked for well-formed XML (every tag
// closed in order, attributes quoted, text escaped), the title's date and machine, and one
// series per way and model setting.
import { describe, expect, it } from 'vitest';
import { escapeXml, niceTicks, pipelineSvg } from '../../../bench/pipeline/chart.ts';
import { WAYS, type Measure, type PipelineResult, type Row, type Way } from '../../../bench/pipeline/model.ts';

function m(itemsPerSecond: number, rssKb: number): Measure {
  return { itemsPerSecond, rssKb, digest: '1', items: 10, wallSeconds: 1, switchesPerItem: 0, involuntarySwitchesPerItem: 0, cpuUsPerItem: 1 };
}
function row(size: 'small' | 'large', stages: number, modelMb: number): Row {
  const ways = Object.fromEntries(WAYS.map((w, i) => [w, m(1000 * (i + 1) * stages, 10_000 + modelMb * 1024 * (w === 'b' ? 1 : stages))])) as Record<Way, Measure>;
  return { size, itemBytes: size === 'small' ? 40 : 102_400, stages, modelMb, ways };
}
const result: PipelineResult = {
  date: '2026-12-01 14:00 UTC',
  machine: '2 cores (Test <CPU> & co), Linux 6',
  command: 'npx tsx bench/pipeline.ts',
  load: [0.1, 0.2],
  rows: (['small', 'large'] as const).flatMap((s) => [0, 100].flatMap((mb) => [2, 4].map((k) => row(s, k, mb)))),
};

/** A small XML well-formedness check: tags nest and close, attributes are quoted, no bare &. */
function wellFormed(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let at = 0;
  for (let t = tag.exec(xml); t; t = tag.exec(xml)) {
    const between = xml.slice(at, t.index);
    expect(between).not.toMatch(/<|&(?!(amp|lt|gt|quot);)/);
    at = t.index + t[0].length;
    if (t[1]) expect(stack.pop()).toBe(t[2]);
    else if (!t[4]) stack.push(t[2]);
  }
  expect(xml.slice(at).trim()).toBe('');
  expect(stack).toEqual([]);
}

describe('pipelineSvg', () => {
  const svg = pipelineSvg(result);
  it('writes one well-formed SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    wellFormed(svg);
  });
  it('titles it with the date and the machine, escaped', () => {
    expect(svg).toContain('2026-12-01 14:00 UTC, 2 cores (Test &lt;CPU&gt; &amp; co), Linux 6');
  });
  it('draws every way with and without the model in all four panels, with a legend', () => {
    for (const w of WAYS) {
      expect(svg.match(new RegExp(`data-series="${w}"`, 'g'))).toHaveLength(4);
      expect(svg.match(new RegExp(`data-series="${w} model 100 MB"`, 'g'))).toHaveLength(4);
    }
    expect(svg).toContain('(b) threads + interpqueue');
    expect(svg).toContain('with a 100 MB model');
    expect(svg).toContain('items / second');
    expect(svg).toContain('stages');
  });
  it('picks round axis ticks that cover the largest value', () => {
    expect(niceTicks(47)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(escapeXml('a<"b">&')).toBe('a&lt;&quot;b&quot;&gt;&amp;');
  });
});
