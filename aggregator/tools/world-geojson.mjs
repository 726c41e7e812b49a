// Makes the dashboard's world map, aggregator/src/main/resources/io/nightjar/aggregator/dashboard/world-110m.geo.json,
// from npm packages (run once when upgrading them; the output is committed, the packages are not):
//   npm pack world-atlas@2.0.2 topojson-client@3.1.0 i18n-iso-countries@7.14.0   (unpack each into DIR/<name>/)
//   node aggregator/tools/world-geojson.mjs DIR > aggregator/src/main/resources/io/nightjar/aggregator/dashboard/world-110m.geo.json
// world-atlas: Natural Earth 1:110m countries (public domain), TopoJSON by Mike Bostock (ISC).
// i18n-iso-countries (MIT) maps ISO 3166-1 numeric ids to the alpha-2 codes the API's `country` uses.
// Coordinates are rounded to 0.01 degree (about 1 km: far below what 1:110m resolves).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const dir = process.argv[2];
const require = createRequire(import.meta.url);
const topojson = require(`${dir}/topojson-client/dist/topojson-client.js`);
const topo = JSON.parse(readFileSync(`${dir}/world-atlas/countries-110m.json`, 'utf8'));
const codes = JSON.parse(readFileSync(`${dir}/i18n-iso-countries/codes.json`, 'utf8'));
const alpha2 = new Map(codes.map(([a2, , num]) => [num, a2]));

const round = c => (typeof c[0] === 'number' ? [Math.round(c[0] * 100) / 100, Math.round(c[1] * 100) / 100] : c.map(round));

// A ring that crosses the antimeridian jumps from +180 to -180 and back; drawn on a flat map (as
// ECharts does) that is a stripe across the world. Unwrap such rings so that their longitudes are
// continuous (Chukotka then reaches past 180 degrees east, which a flat map shows fine).
function unwrap(ring) {
  let offset = 0;
  const out = [[ring[0][0], ring[0][1]]];
  for (let i = 1; i < ring.length; i++) {
    const d = ring[i][0] - ring[i - 1][0];
    if (d > 180) offset -= 360;
    if (d < -180) offset += 360;
    out.push([ring[i][0] + offset, ring[i][1]]);
  }
  const mean = out.reduce((s, p) => s + p[0], 0) / out.length;
  return mean < -180 ? out.map(([x, y]) => [x + 360, y]) : out;
}

function unwrapGeometry(g) {
  if (g.type === 'Polygon') {
    return { type: g.type, coordinates: g.coordinates.map(unwrap) };
  }
  return { type: g.type, coordinates: g.coordinates.map(poly => poly.map(unwrap)) };
}
const world = topojson.feature(topo, topo.objects.countries);
const features = [];
for (const f of world.features) {
  const a2 = alpha2.get(f.id);
  if (!a2 || a2 === 'AQ') {
    continue; // no ISO code (W. Sahara's is there; N. Cyprus, Somaliland, Kosovo are not), or Antarctica
  }
  features.push({ type: 'Feature', properties: { iso_a2: a2, name: f.properties.name },
    geometry: { type: f.geometry.type, coordinates: round(unwrapGeometry(f.geometry).coordinates) } });
}
process.stdout.write(JSON.stringify({ type: 'FeatureCollection', features }));
