// The pipeline bench's text report: the table, the ratios taken in one run, and each
// target met or missed, with the gap and the measured floor that explains it. Pure: rows in,
// lines out.
import { WAYS, type ItemSize, type PipelineResult, type Row } from './model.ts';

export interface Target {
  name: string;
  met: boolean;
  detail: string;
}

const mb = (kb: number) => (kb / 1024).toFixed(1);
const rate = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const x = (v: number) => `${v.toFixed(2)}×`;

export function ratios(r: Row): { speed: number; rss: number } {
  return { speed: r.ways.b.itemsPerSecond / r.ways.c.itemsPerSecond, rss: r.ways.b.rssKb / r.ways.c.rssKb };
}

export function table(res: PipelineResult): string[] {
  const head = '| items | stages | model | (a) items/s | (b) items/s | (c) items/s | (c) batched | (b)/(c) | CPU µs per item (a) / (b) / (c) | CPU (c)/(b) | RSS (a) | RSS (b) | RSS (c) | RSS (b)/(c) |';
  const lines = [head, head.replace(/[^|]+/g, '---')];
  for (const r of res.rows) {
    const { speed, rss } = ratios(r);
    const w = r.ways;
    lines.push(
      `| ${r.size} (${r.itemBytes} B) | ${r.stages} | ${r.modelMb ? `${r.modelMb} MB` : 'none'} | ${rate(w.a.itemsPerSecond)} | ${rate(w.b.itemsPerSecond)} | ` +
        `${rate(w.c.itemsPerSecond)} | ${rate(w.cBatched.itemsPerSecond)} | ${x(speed)} | ${w.a.cpuUsPerItem.toFixed(1)} / ${w.b.cpuUsPerItem.toFixed(1)} / ${w.c.cpuUsPerItem.toFixed(1)} | ${x(w.c.cpuUsPerItem / w.b.cpuUsPerItem)} | ${mb(w.a.rssKb)} MB | ${mb(w.b.rssKb)} MB | ${mb(w.c.rssKb)} MB | ${rss.toFixed(2)} |`,
    );
  }
  return lines;
}

function worst(rows: Row[], f: (r: Row) => number, pick: 'min' | 'max'): { row: Row; v: number } {
  let best = { row: rows[0], v: f(rows[0]) };
  for (const r of rows.slice(1)) {
    const v = f(r);
    if (pick === 'min' ? v < best.v : v > best.v) best = { row: r, v };
  }
  return best;
}

const where = (r: Row) => `${r.size} items, ${r.stages} stages, ${r.modelMb ? `${r.modelMb} MB model` : 'no model'}`;

/** Microseconds per item for each way, and what the stages' work alone costs (a), so a
 *  missed speed target shows whether transport or the work itself is the limit. */
function perItem(r: Row): string {
  const us = (v: number) => `${(1e6 / v).toFixed(1)} µs`;
  const { a, b, c } = r.ways;
  return (
    `wall per item: (a) ${us(a.itemsPerSecond)} for all ${r.stages} stages' work in one thread; (b) ${us(b.itemsPerSecond)}; (c) ${us(c.itemsPerSecond)}; ` +
    `CPU per item, all stages: (a) ${a.cpuUsPerItem.toFixed(1)} µs, (b) ${b.cpuUsPerItem.toFixed(1)} µs, (c) ${c.cpuUsPerItem.toFixed(1)} µs; ` +
    `sleeps (voluntary switches) per item, all stages: (b) ${b.switchesPerItem.toFixed(2)}, (c) ${c.switchesPerItem.toFixed(2)}; ` +
    `preemptions per item: (b) ${b.involuntarySwitchesPerItem.toFixed(2)}, (c) ${c.involuntarySwitchesPerItem.toFixed(2)}`
  );
}

export function targets(res: PipelineResult): Target[] {
  const out: Target[] = [];
  const sizes: ItemSize[] = ['small', 'large'];
  for (const s of sizes) {
    const rows = res.rows.filter((r) => r.size === s);
    if (!rows.length) continue;
    const w = worst(rows, (r) => ratios(r).speed, 'min');
    out.push({
      name: `(b) ≥ (c) on ${s} items`,
      met: w.v >= 1,
      detail: `lowest (b)/(c) ${x(w.v)} (${where(w.row)})${w.v >= 1 ? '' : `: ${((1 - w.v) * 100).toFixed(0)} % short; ${perItem(w.row)}`}`,
    });
    if (s === 'small')
      out.push({
        name: '(b) ≥ 1.3 × (c) on small items',
        met: w.v >= 1.3,
        detail: `lowest (b)/(c) ${x(w.v)} (${where(w.row)})${w.v >= 1.3 ? '' : `: ${(1.3 / w.v).toFixed(2)}× more needed; ${perItem(w.row)}`}`,
      });
  }
  const withModel = res.rows.filter((r) => r.modelMb > 0);
  if (withModel.length) {
    const w = worst(withModel, (r) => ratios(r).rss, 'max');
    // (b) holds one model and (c) one per stage: even if (b) cost nothing but its model and
    // its interpreters, the ratio could not go below (model + (b) without a model) / (c).
    const bare = res.rows.find((r) => r.size === w.row.size && r.stages === w.row.stages && r.modelMb === 0);
    const floor = bare ? (w.row.modelMb * 1024 + bare.ways.b.rssKb) / w.row.ways.c.rssKb : NaN;
    out.push({
      name: "(b)'s RSS ≤ half of (c)'s with the model",
      met: w.v <= 0.5,
      detail:
        `highest RSS (b)/(c) ${w.v.toFixed(2)} (${where(w.row)})` +
        (w.v <= 0.5
          ? ''
          : `: ${((w.v / 0.5 - 1) * 100).toFixed(0)} % over; (c) holds ${w.row.stages} models and (b) one, so with ${w.row.stages} stages the floor is ` +
            `(${w.row.modelMb} MB + (b) without a model ${bare ? mb(bare.ways.b.rssKb) : '?'} MB) / (c) ${mb(w.row.ways.c.rssKb)} MB = ${floor.toFixed(2)}`),
    });
  }
  return out;
}

/** How far apart the repeats of one cell were: the widest (max - min) / max over the table. */
export function noise(res: PipelineResult): string {
  let widest = 0;
  let at = '';
  for (const r of res.rows)
    for (const w of WAYS) {
      const s = r.ways[w].samples ?? [];
      if (s.length < 2) continue;
      const spread = (Math.max(...s) - Math.min(...s)) / Math.max(...s);
      if (spread > widest) {
        widest = spread;
        at = `${w}, ${where(r)}: ${s.join(', ')} items/s`;
      }
    }
  return widest ? `noise: the repeats of one cell differ by up to ${(widest * 100).toFixed(0)} % (${at})` : 'noise: one run per cell (--repeat 1)';
}

/** CPU per item, (c) over (b), by size: the items/s ratio a pipeline tends to when it has
 *  every core to itself and keeps them busy, whatever else the machine was doing. */
export function cpuRatios(res: PipelineResult): string[] {
  return (['small', 'large'] as ItemSize[]).flatMap((s) => {
    const rows = res.rows.filter((r) => r.size === s);
    if (!rows.length) return [];
    const rs = rows.map((r) => r.ways.c.cpuUsPerItem / r.ways.b.cpuUsPerItem);
    return [`CPU per item (c)/(b) on ${s} items: ${x(Math.min(...rs))} to ${x(Math.max(...rs))} (load-independent: (b) spends that much less CPU on each item)`];
  });
}
