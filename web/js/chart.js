// A small inline-SVG chart: a day of one reading (average line, min–max haze) against the
// standard's band. No library: a few dozen lines are enough for one kind of chart.
import { s } from './dom.js';
import { number } from './format.js';

const W = 360, H = 130;
const PAD = { left: 38, right: 8, top: 8, bottom: 20 };

// series: {buckets: [{timeMs, min, max, avg}], stepMs}; band: {min, max} or null
// options: {fromMs, toMs, tickLabel(ms) -> text, emptyText}
export function renderChart(series, band, options) {
  const { fromMs, toMs, tickLabel, emptyText, title } = options;
  const buckets = (series?.buckets ?? [])
    .map((b) => ({ t: Number(b.timeMs), min: Number(b.min), max: Number(b.max), avg: Number(b.avg) }))
    .filter((b) => Number.isFinite(b.t) && Number.isFinite(b.avg))
    .sort((a, b) => a.t - b.t);
  const stepMs = Number(series?.stepMs) || 60000;

  let lo = Infinity, hi = -Infinity;
  for (const b of buckets) { lo = Math.min(lo, b.min, b.avg); hi = Math.max(hi, b.max, b.avg); }
  if (band) { lo = Math.min(lo, band.min); hi = Math.max(hi, band.max); }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const margin = (hi - lo) * 0.08;
  lo -= margin; hi += margin;

  const x = (t) => PAD.left + ((t - fromMs) / (toMs - fromMs)) * (W - PAD.left - PAD.right);
  const y = (v) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);

  const children = [];
  if (title) children.push(s('title', {}, title));
  // horizontal grid with three value labels
  for (const v of [lo + margin, (lo + hi) / 2, hi - margin]) {
    children.push(s('line', { class: 'grid', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }));
    children.push(s('text', { class: 'axis', x: PAD.left - 4, y: y(v) + 3, 'text-anchor': 'end' }, number(v, Math.abs(hi - lo) < 10 ? 1 : 0)));
  }
  // time ticks every 6 hours of the window
  for (let i = 0; i <= 4; i++) {
    const t = fromMs + ((toMs - fromMs) * i) / 4;
    children.push(s('text', { class: 'axis', x: x(t), y: H - 5, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, tickLabel(t)));
  }
  if (band) {
    children.push(s('rect', { class: 'band', x: PAD.left, width: W - PAD.left - PAD.right,
                              y: y(band.max), height: Math.max(1, y(band.min) - y(band.max)) }));
  }
  if (buckets.length === 0) {
    children.push(s('text', { class: 'empty', x: (PAD.left + W - PAD.right) / 2, y: H / 2, 'text-anchor': 'middle' }, emptyText));
  } else {
    // split where buckets are missing, so a device outage shows as a gap, not a straight line
    const runs = [];
    let run = [];
    for (const b of buckets) {
      if (run.length && b.t - run[run.length - 1].t > stepMs * 2.5) { runs.push(run); run = []; }
      run.push(b);
    }
    runs.push(run);
    for (const r of runs) {
      if (r.length > 1) {
        const upper = r.map((b) => `${x(b.t).toFixed(1)},${y(b.max).toFixed(1)}`);
        const lower = r.slice().reverse().map((b) => `${x(b.t).toFixed(1)},${y(b.min).toFixed(1)}`);
        children.push(s('polygon', { points: [...upper, ...lower].join(' '), fill: 'currentColor', opacity: '0.12', class: 'haze' }));
        children.push(s('polyline', { class: 'line', points: r.map((b) => `${x(b.t).toFixed(1)},${y(b.avg).toFixed(1)}`).join(' ') }));
      } else {
        children.push(s('circle', { cx: x(r[0].t), cy: y(r[0].avg), r: 2.5, fill: 'currentColor', class: 'dot' }));
      }
    }
  }
  return s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart-svg' }, children);
}
