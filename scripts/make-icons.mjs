#!/usr/bin/env node
/**
 * Draws the Orderline icons with no dependencies: shapes as signed distance functions,
 * 4×4 supersampling for anti-aliasing, PNG chunks written by hand (zlib for IDAT).
 *
 *   node scripts/make-icons.mjs     → public/icons/*.png, public/apple-touch-icon.png
 *
 * The mark: a white check whose stroke starts at a "route" dot, on a #1f6f5c rounded square.
 * public/favicon.svg is hand-written with the same geometry (unit square coordinates below ×64).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BRAND = [0x1f, 0x6f, 0x5c]
const WHITE = [0xff, 0xff, 0xff]

// ---- geometry in unit coordinates (0..1), y down ----

/** The mark, centred on (0.5, 0.5) and spanning about 0.56 of the unit square. */
const CHECK = [
  [0.3, 0.53],
  [0.44, 0.67],
  [0.72, 0.36],
]
const STROKE = 0.085
const DOT = { x: 0.3, y: 0.53, r: 0.075 }

function sdRoundedSquare(x, y, half, radius) {
  const qx = Math.abs(x - 0.5) - half + radius
  const qy = Math.abs(y - 0.5) - half + radius
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0))
  return outside + Math.min(Math.max(qx, qy), 0) - radius
}

function sdSegment(x, y, [ax, ay], [bx, by]) {
  const px = x - ax
  const py = y - ay
  const dx = bx - ax
  const dy = by - ay
  const h = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - dx * h, py - dy * h)
}

/** Distance to the mark (negative inside) in mark coordinates. */
function sdMark(x, y) {
  let d = Math.hypot(x - DOT.x, y - DOT.y) - DOT.r
  for (let i = 0; i + 1 < CHECK.length; i++) d = Math.min(d, sdSegment(x, y, CHECK[i], CHECK[i + 1]) - STROKE / 2)
  return d
}

/**
 * Renders one icon. `tile`: null → full-bleed background; else the rounded square's half size
 * and corner radius (outside it is transparent). `markScale` shrinks the mark about the centre.
 */
function render(size, { tile, markScale, background }) {
  const rgba = Buffer.alloc(size * size * 4)
  const S = 4
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let tileCover = 0
      let markCover = 0
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = (px + (sx + 0.5) / S) / size
          const y = (py + (sy + 0.5) / S) / size
          const inTile = tile ? sdRoundedSquare(x, y, tile.half, tile.radius) <= 0 : true
          if (!inTile) continue
          tileCover++
          const mx = 0.5 + (x - 0.5) / markScale
          const my = 0.5 + (y - 0.5) / markScale
          if (sdMark(mx, my) <= 0) markCover++
        }
      }
      const a = tileCover / (S * S)
      const m = tileCover ? markCover / tileCover : 0
      const i = (py * size + px) * 4
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(background[c] * (1 - m) + WHITE[c] * m)
      rgba[i + 3] = Math.round(a * 255)
    }
  }
  return encodePng(size, size, rgba)
}

// ---- PNG ----

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buffer) {
  let c = 0xffffffff
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // colour type: RGBA
  // compression, filter, interlace: 0
  const raw = Buffer.alloc((width * 4 + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0 // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// ---- the set ----

/** "any" icons: a rounded tile with a little transparent margin, the mark at full size. */
const TILE = { half: 0.46, radius: 0.2 }
const ICONS = [
  { file: 'public/icons/icon-192.png', size: 192, tile: TILE, markScale: 1 },
  { file: 'public/icons/icon-512.png', size: 512, tile: TILE, markScale: 1 },
  // The manifest's shortcuts ask for 96 px.
  { file: 'public/icons/icon-96.png', size: 96, tile: TILE, markScale: 1 },
  // Maskable: full bleed, mark well inside the 80% safe circle (its extent is ~0.31 from centre).
  { file: 'public/icons/icon-maskable-512.png', size: 512, tile: null, markScale: 0.8 },
  // iOS fills transparency with black and rounds corners itself: full bleed.
  { file: 'public/apple-touch-icon.png', size: 180, tile: null, markScale: 0.9 },
]

for (const icon of ICONS) {
  const png = render(icon.size, { tile: icon.tile, markScale: icon.markScale, background: BRAND })
  const out = path.join(ROOT, icon.file)
  mkdirSync(path.dirname(out), { recursive: true })
  writeFileSync(out, png)
  console.log(`${icon.file} ${icon.size}×${icon.size} ${png.length} bytes`)
}
