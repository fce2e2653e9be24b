#!/usr/bin/env node
// Renders the hand-written SVGs into what the packages and the tray need, in resources/build/:
//   icons/<n>x<n>.png for n in 16 … 1024 (Linux icon set, window icon), icon.png (1024),
//   icon.ico (16 … 256, PNG entries), icon.icns (16 … 1024, PNG entries),
//   tray/tray-<state>-<dark|light>.png and @2x (dark glyph for light panels and as the macOS
//   template; light glyph for dark panels).
// The SVG renderer is @resvg/resvg-js (prebuilt binaries per platform, no install script). ICO and
// ICNS are simple containers of PNGs, assembled here.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resources = path.join(root, 'resources');
const out = path.join(resources, 'build');

let Resvg;
try {
  ({ Resvg } = await import('@resvg/resvg-js'));
} catch {
  console.error('render-icons: the package @resvg/resvg-js is not installed: run `npm install --save-dev @resvg/resvg-js`, then this again');
  process.exit(1);
}

function render(svg, size) {
  const r = new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' });
  return Buffer.from(r.render().asPng());
}

/** ICO: a 6-byte header, one 16-byte entry per image, then the images (PNG, Vista and later). */
function ico(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0); // 0 means 256
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt8(0, 2); // no palette
    e.writeUInt8(0, 3);
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

// ICNS element types holding PNG data, by pixel size (the @2x types reuse a larger rendering).
const ICNS_TYPES = [
  ['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024],
  ['ic11', 32], ['ic12', 64], ['ic13', 256], ['ic14', 512],
];

/** ICNS: "icns" and the total length (big-endian), then elements of type, length, data. */
function icns(pngBySize) {
  const elements = ICNS_TYPES.map(([type, size]) => {
    const png = pngBySize.get(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const body = Buffer.concat(elements);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + body.length, 4);
  return Buffer.concat([head, body]);
}

const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
fs.mkdirSync(path.join(out, 'icons'), { recursive: true });
fs.mkdirSync(path.join(out, 'tray'), { recursive: true });

const logo = fs.readFileSync(path.join(resources, 'logo.svg'), 'utf8');
const pngs = new Map(SIZES.map((s) => [s, render(logo, s)]));
for (const [size, png] of pngs) fs.writeFileSync(path.join(out, 'icons', `${size}x${size}.png`), png);
fs.writeFileSync(path.join(out, 'icon.png'), pngs.get(1024));
fs.writeFileSync(path.join(out, 'icon.ico'), ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: pngs.get(size) }))));
fs.writeFileSync(path.join(out, 'icon.icns'), icns(pngs));

const states = ['idle', 'running', 'error', 'paused'];
for (const state of states) {
  const svg = fs.readFileSync(path.join(resources, 'tray', `${state}.svg`), 'utf8');
  // The sources are drawn in black; the light variant is the same glyph in white.
  const variants = { dark: svg, light: svg.replaceAll('#000', '#fff') };
  for (const [variant, text] of Object.entries(variants)) {
    fs.writeFileSync(path.join(out, 'tray', `tray-${state}-${variant}.png`), render(text, 16));
    fs.writeFileSync(path.join(out, 'tray', `tray-${state}-${variant}@2x.png`), render(text, 32));
  }
}
console.log(`render-icons: ${SIZES.length} PNG sizes, icon.ico, icon.icns and ${states.length * 4} tray images in ${path.relative(root, out)}/`);
