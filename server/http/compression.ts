/**
 * On-the-fly compression of API responses (docs/decisions.md, "Compression"). Only routes under
 * /api/ are compressed here: the built app is compressed once at build time and served as is
 * (routes/static.ts), and Socket.IO's polling transport never reaches Fastify (Engine.IO answers
 * /socket.io/ on the http server itself and compresses with its own `httpCompression`).
 */
import compress from '@fastify/compress'
import type { FastifyInstance } from 'fastify'

/** Bodies below this go out as they are: a few hundred bytes save less than the encoding costs. */
export const COMPRESS_THRESHOLD_BYTES = 1024

/**
 * Registers @fastify/compress for the API routes declared after this call. Every other route
 * (static files, health, metrics) is marked `compress: false` before the plugin sees it, so a
 * static file is never compressed a second time and keeps its exact Content-Length.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  // Runs before the plugin's own onRoute hook (hooks run in the order they were added).
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) route.compress ??= false
  })
  await app.register(compress, {
    global: true,
    threshold: COMPRESS_THRESHOLD_BYTES,
    // No deflate: its zlib-vs-raw ambiguity bought nothing over gzip, which every client has.
    encodings: ['br', 'gzip'],
    // Requests stay uncompressed: the API takes small JSON bodies, and inflating them would only
    // add a way to make the server do work (a zip bomb) before the body limit applies.
    globalDecompression: false,
  })
}
