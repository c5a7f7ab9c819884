// Line icons (24×24, stroked with currentColor) so every status has a shape as well as a colour.
import { s } from './dom.js';

const PATHS = {
  // senses
  sight: ['M2 12s3.6-6.5 10-6.5S22 12 22 12s-3.6 6.5-10 6.5S2 12 2 12z', 'M12 9a3 3 0 1 0 0 6a3 3 0 1 0 0-6z'],
  hearing: ['M4 9v6h4l5 4V5L8 9H4z', 'M16 9a4 4 0 0 1 0 6', 'M18.5 6.5a7.5 7.5 0 0 1 0 11'],
  smell: ['M7 20c0-4 3-5 3-9S7 6 7 4', 'M12 20c0-4 3-5 3-9s-3-5-3-7', 'M17 20c0-4 3-5 3-9s-3-5-3-7'],
  touch: ['M14 14.8V5a2 2 0 0 0-4 0v9.8a4 4 0 1 0 4 0z', 'M12 9v7'],
  taste: ['M4 9h13v5a5 5 0 0 1-5 5H9a5 5 0 0 1-5-5V9z', 'M17 10h1.5a2.5 2.5 0 0 1 0 5H17', 'M8 3c0 1.5 1 1.5 1 3', 'M12 3c0 1.5 1 1.5 1 3'],
  // statuses
  ok: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M8 12.5l2.7 2.7L16.5 9.5'],
  drifting: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M7.5 13c1.5-2 3-2 4.5 0s3 2 4.5 0'],
  out: ['M12 3.5L22 20H2L12 3.5z', 'M12 10v4.5', 'M12 17.2v.3'],
  nodata: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M8 12h8'],
  // actions and marks
  hold: ['M7 11V8a5 5 0 0 1 10 0v3', 'M5 11h14v10H5z'],
  stale: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M12 7v5l3 2'],
  offline: ['M3 3l18 18', 'M8.5 16.5a5 5 0 0 1 7 0', 'M5 13a10 10 0 0 1 4-2.5', 'M15 10.5a10 10 0 0 1 4 2.5', 'M12 20h.01'],
  fire: ['M12 2c1 4 5 6 5 11a5 5 0 0 1-10 0c0-3 2-4 2-7c2 1 3 3 3 5c1-1 1-3 0-9z'],
  bell: ['M6 16V11a6 6 0 0 1 12 0v5l2 2H4l2-2z', 'M10 20a2 2 0 0 0 4 0'],
  back: ['M15 5l-7 7l7 7'],
  sun: ['M12 8a4 4 0 1 0 0 8a4 4 0 1 0 0-8z', 'M12 2v2', 'M12 20v2', 'M2 12h2', 'M20 12h2', 'M4.9 4.9l1.4 1.4', 'M17.7 17.7l1.4 1.4', 'M4.9 19.1l1.4-1.4', 'M17.7 6.3l1.4-1.4'],
  moon: ['M20 14.5A8 8 0 1 1 9.5 4a6.5 6.5 0 0 0 10.5 10.5z'],
  logout: ['M15 4h4v16h-4', 'M10 8l-4 4l4 4', 'M6 12h10'],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  clock: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', 'M12 7v5l3 2'],
  chart: ['M4 4v16h16', 'M7 15l4-5l3 3l5-6'],
};

export function icon(name, extraClass) {
  const paths = PATHS[name] ?? PATHS.nodata;
  return s('svg', { class: `icon${extraClass ? ' ' + extraClass : ''}`, viewBox: '0 0 24 24', 'aria-hidden': 'true',
                    fill: 'none', stroke: 'currentColor', 'stroke-width': '1.8', 'stroke-linecap': 'round',
                    'stroke-linejoin': 'round' },
           paths.map((d) => s('path', { d })));
}
