// Audit (admins): one user's day from the event log — the presence timeline as a chart, the time
// in each presence (the figures of `presencectl report`), and every change with who made it and
// through what.

import {listUsers, slack} from './api.js';
import {h, field, replace} from './dom.js';

const order = ['online', 'away', 'busy', 'offline', 'disabled'];
const svgNs = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(svgNs, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children) el.append(child);
  return el;
}

function hms(seconds) {
  const s = Math.round(seconds);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

function chart(report) {
  const start = Date.parse(report.from);
  const end = Date.parse(report.to);
  const width = 1000;
  const bars = report.segments.map((segment) => {
    const x = ((Date.parse(segment.from) - start) / (end - start)) * width;
    const w = ((Date.parse(segment.to) - Date.parse(segment.from)) / (end - start)) * width;
    return svg('rect', {x: x.toFixed(2), y: 0, width: Math.max(w, 0.5).toFixed(2), height: 40, class: `seg ${segment.presence}`},
      svg('title', {}, `${segment.presence} ${segment.from.slice(11, 19)}–${segment.to.slice(11, 19)} UTC`));
  });
  const ticks = [0, 6, 12, 18, 24].map((hour) => svg('text', {x: (hour / 24) * width, y: 58, class: 'tick',
    'text-anchor': hour === 0 ? 'start' : hour === 24 ? 'end' : 'middle'}, `${String(hour).padStart(2, '0')}:00`));
  return svg('svg', {viewBox: `0 0 ${width} 64`, class: 'timeline', role: 'img',
    'aria-label': `Presence of ${report.user} on ${report.day} (UTC)`}, ...bars, ...ticks);
}

export function renderAudit({view}) {
  const users = h('datalist', {id: 'audit-users'});
  const user = field('User', h('input', {type: 'text', list: 'audit-users', autocomplete: 'off', required: true}));
  const today = new Date().toISOString().slice(0, 10);
  const day = field('Day (UTC)', h('input', {type: 'date', value: today, required: true}));
  const out = h('div', {class: 'audit-result', 'aria-live': 'polite'});
  const form = h('form', {class: 'audit-form card'}, user.wrap, day.wrap,
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Show')));
  replace(view, h('section', {class: 'audit', 'aria-labelledby': 'audit-heading'},
    h('h1', {id: 'audit-heading'}, 'Audit'),
    h('p', {class: 'hint'}, 'One user\'s day from the event log: the presence timeline and every change, with who made it and from where.'),
    form, users, out));

  listUsers().then((members) => {
    replace(users, members.map((m) => h('option', {value: m.id}, m.name)));
  }, () => {});

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(out, h('p', {}, 'Loading…'));
    try {
      const report = await slack('admin.presence.report', {user: user.input.value.trim(), day: day.input.value});
      const totals = h('table', {class: 'totals'},
        h('caption', {}, 'Time in each presence'),
        h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Presence'), h('th', {scope: 'col'}, 'Time'), h('th', {scope: 'col'}, 'Seconds'), h('th', {scope: 'col'}, 'Share'))),
        h('tbody', {}, order.map((p) => h('tr', {},
          h('th', {scope: 'row'}, h('span', {class: `dot ${p}`, 'aria-hidden': 'true'}), ` ${p}`),
          h('td', {}, hms(report.seconds[p] ?? 0)),
          h('td', {class: 'num'}, (report.seconds[p] ?? 0).toFixed(3)),
          h('td', {class: 'num'}, `${(((report.seconds[p] ?? 0) / 86400) * 100).toFixed(1)}%`)))));
      const changes = h('table', {class: 'changes'},
        h('caption', {}, `Changes (${report.changes.length})`),
        h('thead', {}, h('tr', {}, ['Time (UTC)', 'Change', 'By', 'Via', 'Details'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, report.changes.length ? report.changes.map((c) => h('tr', {},
          h('td', {}, c.ts.slice(11, 23)), h('td', {}, c.type), h('td', {}, c.by || report.user),
          h('td', {}, c.via || '—'), h('td', {}, c.detail || '')))
          : h('tr', {}, h('td', {colspan: '5', class: 'empty'}, 'No change that day.'))));
      replace(out, h('h2', {}, `${report.user} on ${report.day}`), chart(report),
        h('ul', {class: 'legend', 'aria-hidden': 'true'}, order.map((p) => h('li', {}, h('span', {class: `dot ${p}`}), ` ${p}`))),
        h('div', {class: 'table-scroll'}, totals), h('div', {class: 'table-scroll'}, changes));
    } catch (error) {
      replace(out, h('p', {class: 'form-error', role: 'status'}, `No report: ${error.detail || error.code || error.message}`));
    }
  });
}
