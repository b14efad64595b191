/**
 * The built app and the SPA fallback. Hashed files under /assets/ never change, so they are
 * cached for a year; the shell and the service-worker files must be revalidated on every load,
 * or a deploy would never reach installed clients. With `preCompressed`, the .br/.gz copies the
 * build writes (scripts/precompress.ts) are sent to browsers that accept them.
 */
import { existsSync, statSync } from 'node:fs'
import { basename, relative, resolve, sep } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { sendError } from '../http/errors'
import { isAppNavigation, isReserved } from '../http/navigation'

const NO_CACHE_FILES = new Set(['index.html', 'sw.js', 'manifest.webmanifest', 'registerSW.js'])
const IMMUTABLE = 'public, max-age=31536000, immutable'
/** The extensions of the build's compressed copies: `sw.js.br` is still `sw.js` for its cache rule. */
const COMPRESSED_COPY = /\.(?:br|gz)$/
const VARY_ENCODING = 'Accept-Encoding'

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory()
}

export interface StaticOptions {
  /** Send `<file>.br` / `<file>.gz` when they exist and the request accepts br / gzip. */
  preCompressed?: boolean
}

/**
 * Serves `staticDir` when it holds a build, and installs the not-found handler either way:
 * HTML navigations get index.html, everything else a JSON 404.
 */
export async function registerStatic(app: FastifyInstance, staticDir: string, options: StaticOptions = {}): Promise<void> {
  const root = resolve(staticDir)
  const hasShell = isDirectory(root) && existsSync(resolve(root, 'index.html'))
  const preCompressed = options.preCompressed ?? false

  if (preCompressed) {
    // A static file's body depends on Accept-Encoding, so caches must key on it. setHeaders below
    // can only mark the raw response, and Fastify's reply headers (CORS puts `Vary: Origin` there)
    // replace raw ones of the same name when the head is written: merge the two here.
    app.addHook('onSend', async (_request, reply, payload) => {
      if (reply.raw.getHeader('vary') !== VARY_ENCODING) return payload
      const current = String(reply.getHeader('vary') ?? '')
      if (!/accept-encoding/i.test(current)) reply.header('vary', current ? `${current}, ${VARY_ENCODING}` : VARY_ENCODING)
      return payload
    })
  }

  if (isDirectory(root)) {
    // The build's files answer every page alike: no CORS headers, so no `Vary: Origin` either. A
    // module script is requested with an Origin header, the service worker's precache fetch of
    // the same file without one; with `Vary: Origin` the worker misses the page's copy in the
    // HTTP cache and a first visit downloads the whole shell twice.
    let registering = true
    app.addHook('onRoute', (route) => {
      if (registering && !isReserved(route.url)) route.config = { ...route.config, cors: false }
    })
    await app.register(fastifyStatic, {
      root,
      // Routes per file found at startup (a build does not change while served): unknown paths
      // then fall through to the not-found handler below instead of a generic static 404.
      wildcard: false,
      cacheControl: false,
      // Falls back from .br to .gz to the file itself; Content-Length and ETag are those of the
      // file actually sent, so each encoding has its own validator.
      preCompressed,
      setHeaders(res, sentPath) {
        // `sentPath` is the compressed copy when one is sent: the rules go by the file it stands for.
        const path = sentPath.replace(COMPRESSED_COPY, '')
        const rel = relative(root, path).split(sep).join('/')
        if (rel.startsWith('assets/')) res.setHeader('cache-control', IMMUTABLE)
        else if (NO_CACHE_FILES.has(basename(path))) res.setHeader('cache-control', 'no-cache')
        else res.setHeader('cache-control', 'public, max-age=3600')
        if (preCompressed) res.setHeader('vary', VARY_ENCODING)
      },
    })
    registering = false
  }

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    if (hasShell && isAppNavigation(request.method, request.headers.accept, path)) {
      return reply.code(200).header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html')
    }
    return sendError(reply, 404, 'not_found', `No route for ${request.method} ${path}.`)
  })
}
