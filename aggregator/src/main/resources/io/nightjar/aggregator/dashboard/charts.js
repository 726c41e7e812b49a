// ECharts helpers. Options use UTC on time axes and the canvas-drawn ("richText") tooltip, so that
// no inline style is ever needed (the page's Content-Security-Policy forbids them).

import { fmtNumber, fmtTime } from './format.js';

/* global echarts */

export const PALETTE = ['#2f6db5', '#e07b39', '#3a9d5d', '#c23b4e', '#7a5cc2', '#1c9aa6', '#b8912c', '#8c5a3c', '#d162a4', '#6b7a8f'];

export const CLASS_COLOURS = {
  tcp_scan: '#2f6db5', backscatter: '#c23b4e', udp_probe: '#e07b39', icmp_probe: '#3a9d5d',
  tcp_other: '#7a5cc2', fragment: '#b8912c', other: '#6b7a8f',
};

const charts = new Set();

window.addEventListener('resize', () => {
  for (const c of charts) {
    c.resize();
  }
});

/** The chart in `el`, created on first use. */
export function chartOf(el) {
  let c = echarts.getInstanceByDom(el);
  if (!c) {
    c = echarts.init(el, null, { renderer: 'canvas' });
    charts.add(c);
  }
  return c;
}

function baseOption() {
  return {
    animation: false,
    useUTC: true,
    color: PALETTE,
    textStyle: { fontFamily: 'system-ui, sans-serif' },
    tooltip: { renderMode: 'richText', confine: true },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
  };
}

const axisTime = {
  type: 'time',
  axisLabel: { hideOverlap: true },
  splitLine: { show: false },
};

function valueAxis(name) {
  return {
    type: 'value',
    name,
    nameTextStyle: { align: 'left' },
    axisLabel: { formatter: v => compact(v) },
  };
}

/** 12 300 as "12.3k": axis labels stay short. */
export function compact(v) {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+Number(v).toFixed(2)}`;
}

/**
 * A time series chart. `series` is [{id, name, data: [[ms, value], ...], colour, axis}] (id: the API's key;
 * axis 2: on the right-hand axis named `y2Name`); `stack` stacks
 * them as areas (the TSUBAME view).
 */
export function timeChart(el, series, { stack = false, yName = '', y2Name = null, legendTop = 4 } = {}) {
  const c = chartOf(el);
  c.setOption({
    ...baseOption(),
    tooltip: {
      renderMode: 'richText', confine: true, trigger: 'axis',
      formatter: params => {
        const list = Array.isArray(params) ? params : [params];
        if (list.length === 0) return '';
        const head = `${fmtTime(list[0].value[0])} UTC`;
        return [head, ...list.map(p => `${p.seriesName}: ${fmtNumber(p.value[1])}`)].join('\n');
      },
    },
    legend: { type: 'scroll', top: legendTop },
    grid: { left: 8, right: 24, top: 48, bottom: 8, containLabel: true },
    xAxis: axisTime,
    // a second axis (right) for series of another unit, e.g. sources beside packets
    yAxis: y2Name === null ? valueAxis(yName) : [valueAxis(yName), { ...valueAxis(y2Name), nameTextStyle: { align: 'right' }, splitLine: { show: false } }],
    series: series.map(s => ({
      id: s.id === undefined ? s.name : String(s.id),
      name: s.name,
      type: 'line',
      stack: stack ? 'total' : undefined,
      areaStyle: stack ? { opacity: 0.85 } : undefined,
      lineStyle: { width: stack ? 0.5 : 2 },
      symbol: 'none',
      showSymbol: s.data.length < 3,
      emphasis: { focus: 'series' },
      itemStyle: s.colour ? { color: s.colour } : undefined,
      yAxisIndex: y2Name !== null && s.axis === 2 ? 1 : 0,
      data: s.data,
    })),
  }, { notMerge: true });
  return c;
}

/** A horizontal bar chart: `items` [{name, value}] drawn largest at the top. */
export function barChart(el, items, { name = '', colour = PALETTE[0] } = {}) {
  const c = chartOf(el);
  const rev = items.slice().reverse();
  c.setOption({
    ...baseOption(),
    tooltip: { renderMode: 'richText', confine: true, trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 56, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { formatter: v => compact(v) } },
    yAxis: { type: 'category', data: rev.map(i => i.name), axisLabel: { width: 170, overflow: 'truncate' } },
    series: [{
      name,
      type: 'bar',
      data: rev.map(i => i.value),
      itemStyle: { color: colour },
      label: { show: true, position: 'right', formatter: p => fmtNumber(p.value) },
      barMaxWidth: 22,
    }],
  }, { notMerge: true });
  return c;
}

/** The chart as a PNG file (white background, twice the pixels). */
export function pngBlob(el) {
  const c = echarts.getInstanceByDom(el);
  const url = c.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' });
  // decode the data: URL here: fetch() of a data: URL is not allowed by the page's CSP (connect-src 'self')
  const b64 = url.substring(url.indexOf(',') + 1);
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    bytes[i] = bin.charCodeAt(i);
  }
  return new Blob([bytes], { type: 'image/png' });
}

let world = null;

/** Registers the world map (Natural Earth 1:110m, features keyed by ISO alpha-2) once. */
export function loadWorld() {
  if (!world) {
    world = fetch('world-110m.geo.json', { credentials: 'omit' })
      .then(r => {
        if (!r.ok) {
          throw new Error(`world map: ${r.status}`);
        }
        return r.json();
      })
      .then(geo => {
        echarts.registerMap('world', geo);
        return geo;
      });
  }
  return world;
}

/**
 * A world map shaded by `items` [{code (ISO alpha-2), value, title}]. The shade follows
 * log10(1 + value): sources per country span orders of magnitude.
 */
export async function mapChart(el, items) {
  await loadWorld();
  const c = chartOf(el);
  const max = Math.max(1, ...items.map(i => i.value));
  c.setOption({
    ...baseOption(),
    title: items.length ? undefined : {
      text: 'No source address could be placed in a country', subtext: 'the aggregator has no geolocation for them',
      left: 'center', top: 'middle', textStyle: { color: '#5b6878', fontSize: 14, fontWeight: 'normal' },
    },
    tooltip: {
      renderMode: 'richText', confine: true, trigger: 'item',
      formatter: p => (p.data ? `${p.data.title}\n${fmtNumber(p.data.sources)} sources` : `${p.name}\nno sources`),
    },
    visualMap: {
      type: 'continuous', min: 0, max: Math.log10(1 + max), left: 8, bottom: 8, itemHeight: 110, calculable: false,
      text: [compact(max), '0'], inRange: { color: ['#dbe8f7', '#5b8fd0', '#2f6db5', '#14213d'] },
    },
    series: [{
      type: 'map', map: 'world', nameProperty: 'iso_a2', roam: true, zoom: 1.15, center: [15, 15],
      itemStyle: { areaColor: '#f0f2f5', borderColor: '#b8c2cf', borderWidth: 0.5 },
      emphasis: { label: { show: false }, itemStyle: { areaColor: '#ffd166' } },
      select: { disabled: true },
      data: items.map(i => ({ name: i.code, value: Math.log10(1 + i.value), sources: i.value, title: i.title })),
    }],
  }, { notMerge: true });
  return c;
}
