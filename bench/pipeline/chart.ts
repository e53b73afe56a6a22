// The pipeline bench's chart, hand-written SVG: a pure function from one run's rows to the
// SVG text, so the README's figure is reproducible and testable without a browser. Four
// panels: items/s and total peak RSS (rows), small and large items (columns), each plotted
// against the number of stages; colour is the way, a dashed line means "with the model".
import { WAYS, WAY_LABELS, type ItemSize, type PipelineResult, type Row, type Way } from './model.ts';

const COLORS: Record<Way, string> = { a: '#555555', b: '#1f77b4', c: '#d62728', cBatched: '#ff9896' };
const PANEL_W = 340;
const PANEL_H = 220;
const MARGIN = { left: 70, right: 20, top: 34, bottom: 44 };
const TITLE_H = 48;
const LEGEND_H = 64;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round axis top and about five ticks for values in [0, max]. */
export function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  if (v >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (v >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

interface Panel {
  title: string;
  yLabel: string;
  value: (r: Row, w: Way) => number;
  size: ItemSize;
}

function panel(p: Panel, rows: Row[], x0: number, y0: number): string {
  const mine = rows.filter((r) => r.size === p.size);
  const stages = [...new Set(mine.map((r) => r.stages))].sort((a, b) => a - b);
  const models = [...new Set(mine.map((r) => r.modelMb))].sort((a, b) => a - b);
  const ways = WAYS.filter((w) => mine.some((r) => r.ways[w]));
  const ticks = niceTicks(Math.max(0, ...mine.flatMap((r) => ways.map((w) => p.value(r, w)))));
  const top = ticks[ticks.length - 1];
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const left = x0 + MARGIN.left;
  const base = y0 + MARGIN.top + h;
  // Stages sit at evenly spaced x positions, a little in from both ends.
  const xs = (s: number) => left + (stages.length < 2 ? w / 2 : (w * (0.1 + (0.8 * stages.indexOf(s)) / (stages.length - 1))));
  const ys = (v: number) => base - (h * v) / top;
  const out: string[] = [`<g class="panel" data-size="${p.size}">`];
  out.push(`<text x="${x0 + PANEL_W / 2}" y="${y0 + 20}" text-anchor="middle" font-weight="bold">${escapeXml(p.title)}</text>`);
  for (const t of ticks) {
    const y = ys(t).toFixed(1);
    out.push(`<line x1="${left}" y1="${y}" x2="${left + w}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${fmt(t)}</text>`);
  }
  out.push(`<line x1="${left}" y1="${base}" x2="${left + w}" y2="${base}" stroke="#333"/>`);
  out.push(`<line x1="${left}" y1="${base}" x2="${left}" y2="${base - h}" stroke="#333"/>`);
  for (const s of stages)
    out.push(`<text x="${xs(s).toFixed(1)}" y="${base + 16}" text-anchor="middle" font-size="11">${s}</text>`);
  out.push(`<text x="${left + w / 2}" y="${base + 34}" text-anchor="middle" font-size="12">stages</text>`);
  const ly = y0 + MARGIN.top + h / 2;
  out.push(`<text x="${x0 + 16}" y="${ly}" text-anchor="middle" font-size="12" transform="rotate(-90 ${x0 + 16} ${ly})">${escapeXml(p.yLabel)}</text>`);
  for (const way of ways) {
    for (const m of models) {
      const pts = stages
        .map((s) => mine.find((r) => r.stages === s && r.modelMb === m))
        .filter((r): r is Row => r !== undefined && r.ways[way] !== undefined)
        .map((r) => [xs(r.stages), ys(p.value(r, way))] as const);
      if (!pts.length) continue;
      const series = `${way}${m ? ` model ${m} MB` : ''}`;
      const dash = m ? ' stroke-dasharray="6 4"' : '';
      out.push(`<g class="series" data-series="${escapeXml(series)}">`);
      out.push(`<polyline fill="none" stroke="${COLORS[way]}" stroke-width="2"${dash} points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
      for (const [x, y] of pts)
        out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${m ? '#fff' : COLORS[way]}" stroke="${COLORS[way]}" stroke-width="1.5"/>`);
      out.push('</g>');
    }
  }
  out.push('</g>');
  return out.join('\n');
}

function legend(rows: Row[], x0: number, y0: number): string {
  const ways = WAYS.filter((w) => rows.some((r) => r.ways[w]));
  const models = [...new Set(rows.map((r) => r.modelMb))].filter((m) => m > 0);
  const out: string[] = ['<g class="legend">'];
  ways.forEach((w, i) => {
    const x = x0 + (i % 2) * 230;
    const y = y0 + Math.floor(i / 2) * 20;
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${COLORS[w]}" stroke-width="3"/>`);
    out.push(`<text x="${x + 36}" y="${y}" dominant-baseline="middle" font-size="12">${escapeXml(WAY_LABELS[w])}</text>`);
  });
  const x = x0 + 470;
  out.push(`<line x1="${x}" y1="${y0}" x2="${x + 28}" y2="${y0}" stroke="#333" stroke-width="2"/>`);
  out.push(`<text x="${x + 36}" y="${y0}" dominant-baseline="middle" font-size="12">no model</text>`);
  if (models.length) {
    out.push(`<line x1="${x}" y1="${y0 + 20}" x2="${x + 28}" y2="${y0 + 20}" stroke="#333" stroke-width="2" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${x + 36}" y="${y0 + 20}" dominant-baseline="middle" font-size="12">with a ${models.join('/')} MB model</text>`);
  }
  out.push('</g>');
  return out.join('\n');
}

/** The whole chart for one run. */
export function pipelineSvg(result: PipelineResult): string {
  const sizes: ItemSize[] = ['small', 'large'];
  const bytes = (s: ItemSize) => {
    const b = result.rows.find((r) => r.size === s)?.itemBytes ?? 0;
    return b >= 1024 ? `${Number((b / 1024).toFixed(1))} KB` : `${b} B`;
  };
  const panels: Panel[][] = [
    sizes.map((s) => ({ size: s, title: `${s} items (${bytes(s)}): throughput`, yLabel: 'items / second', value: (r: Row, w: Way) => r.ways[w]?.itemsPerSecond ?? 0 })),
    sizes.map((s) => ({ size: s, title: `${s} items (${bytes(s)}): total peak RSS`, yLabel: 'MB (all processes)', value: (r: Row, w: Way) => (r.ways[w]?.rssKb ?? 0) / 1024 })),
  ];
  const width = PANEL_W * 2 + 20;
  const height = TITLE_H + PANEL_H * 2 + LEGEND_H;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">Pipeline of CPython 2.4 interpreters: throughput and memory against stages</text>`,
    `<text x="${width / 2}" y="40" text-anchor="middle" font-size="12">${escapeXml(`${result.date}, ${result.machine}`)}</text>`,
  ];
  panels.forEach((row, i) => row.forEach((p, j) => parts.push(panel(p, result.rows, 10 + j * PANEL_W, TITLE_H + i * PANEL_H))));
  parts.push(legend(result.rows, 20, TITLE_H + PANEL_H * 2 + 16));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
