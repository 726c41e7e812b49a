// Sortable tables: every cell keeps the API's raw value in data-value (the tests compare it), and
// shows it formatted. A click on a header sorts by that column; a second click reverses.

import { fmtNumber, fmtTime } from './format.js';

const collator = new Intl.Collator('en', { numeric: true });

function display(col, value, row) {
  if (col.format) {
    return col.format(value, row);
  }
  if (value === null || value === undefined) {
    return '–';
  }
  switch (col.type) {
    case 'num': return fmtNumber(value);
    case 'time': return fmtTime(value);
    default: return Array.isArray(value) ? value.join(', ') : String(value);
  }
}

function raw(value) {
  if (value === null || value === undefined) {
    return '';
  }
  return Array.isArray(value) ? value.join(';') : String(value);
}

/** The value of `col` in `row`: the field named by its key, or what its `value` function derives. */
function valueOf(col, row) {
  return col.value ? col.value(row) : row[col.key];
}

function compare(col, a, b) {
  const x = valueOf(col, a);
  const y = valueOf(col, b);
  const xn = x === null || x === undefined;
  const yn = y === null || y === undefined;
  if (xn || yn) {
    return xn === yn ? 0 : (xn ? 1 : -1);
  }
  if (col.type === 'num') {
    return Number(x) - Number(y);
  }
  return collator.compare(raw(x), raw(y));
}

/**
 * Renders `rows` into `table` with `columns` ({key, label, type: num|text|time, format, link, title}).
 * `options.onLink(col, row)` is called when a cell of a column with `link` is clicked.
 */
export function renderTable(table, columns, rows, options = {}) {
  const state = { key: null, dir: 0 };
  const empty = options.empty || 'Nothing in this period.';

  table.replaceChildren();
  const thead = table.createTHead();
  const hr = thead.insertRow();
  for (const col of columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.dataset.key = col.key;
    if (col.type === 'num') {
      th.classList.add('num');
    }
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'sort';
    b.textContent = col.label;
    if (col.title) {
      b.title = col.title;
    }
    b.addEventListener('click', () => {
      // numbers sort largest first on the first click, text A to Z
      const first = col.type === 'num' ? -1 : 1;
      state.dir = state.key === col.key ? -state.dir : first;
      state.key = col.key;
      draw();
    });
    th.appendChild(b);
    th.setAttribute('aria-sort', 'none');
    hr.appendChild(th);
  }
  const tbody = table.createTBody();

  function draw() {
    const sorted = rows.slice();
    if (state.key) {
      const col = columns.find(c => c.key === state.key);
      sorted.sort((a, b) => state.dir * compare(col, a, b));
    }
    for (const th of hr.children) {
      th.setAttribute('aria-sort', th.dataset.key !== state.key ? 'none' : (state.dir > 0 ? 'ascending' : 'descending'));
    }
    tbody.replaceChildren();
    if (sorted.length === 0) {
      const td = tbody.insertRow().insertCell();
      td.colSpan = columns.length;
      td.className = 'empty';
      td.textContent = empty;
      return;
    }
    for (const row of sorted) {
      const tr = tbody.insertRow();
      for (const col of columns) {
        const td = tr.insertCell();
        const value = valueOf(col, row);
        td.dataset.key = col.key;
        td.dataset.value = raw(value);
        if (col.type === 'num') {
          td.classList.add('num');
        }
        const text = display(col, value, row);
        if (col.link && value !== null && value !== undefined && options.onLink) {
          const a = document.createElement('button');
          a.type = 'button';
          a.className = 'drill-link';
          a.textContent = text;
          a.title = col.link;
          a.addEventListener('click', () => options.onLink(col, row));
          td.appendChild(a);
        } else if (col.bar !== undefined) {
          // a small inline bar for shares and scores: looking beats reading
          const wrap = document.createElement('span');
          wrap.className = 'bar-cell';
          const bar = document.createElement('span');
          bar.className = 'bar';
          bar.style.width = `${Math.max(0, Math.min(100, col.bar(value, rows) * 100)).toFixed(1)}%`;
          const label = document.createElement('span');
          label.textContent = text;
          wrap.append(bar, label);
          td.appendChild(wrap);
        } else {
          td.textContent = text;
        }
        if (col.cellClass) {
          const c = col.cellClass(value, row);
          if (c) {
            td.classList.add(c);
          }
        }
      }
    }
  }

  draw();
}
