/**
 * The built app and the SPA fallback. Hashed files under /assets/ never change, so they are
 * cached for a year; the shell and the service-worker files must be revalidated on every load,
 * or a deploy would never reach installed clients.
 */
import { existsSync, statSync } from 'node:fs'
import { basename, relative, resolve, sep } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { sendError } from '../http/errors'

const NO_CACHE_FILES = new Set(['index.html', 'sw.js', 'manifest.webmanifest', 'registerSW.js'])
const IMMUTABLE = 'public, max-age=31536000, immutable'

/** Paths that belong to the API and operations: never answered with the app shell. */
const RESERVED = [/^\/api(\/|$)/, /^\/socket\.io(\/|$)/, /^\/healthz$/, /^\/readyz$/, /^\/metrics$/, /^\/__test__(\/|$)/]

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory()
}

/**
 * Serves `staticDir` when it holds a build, and installs the not-found handler either way:
 * HTML navigations get index.html, everything else a JSON 404.
 */
export async function registerStatic(app: FastifyInstance, staticDir: string): Promise<void> {
  const root = resolve(staticDir)
  const hasShell = isDirectory(root) && existsSync(resolve(root, 'index.html'))

  if (isDirectory(root)) {
    await app.register(fastifyStatic, {
      root,
      // Routes per file found at startup (a build does not change while served): unknown paths
      // then fall through to the not-found handler below instead of a generic static 404.
      wildcard: false,
      cacheControl: false,
      setHeaders(res, path) {
        const rel = relative(root, path).split(sep).join('/')
        if (rel.startsWith('assets/')) res.setHeader('cache-control', IMMUTABLE)
        else if (NO_CACHE_FILES.has(basename(path))) res.setHeader('cache-control', 'no-cache')
        else res.setHeader('cache-control', 'public, max-age=3600')
      },
    })
  }

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    const wantsHtml = (request.headers.accept ?? '').includes('text/html')
    const isNavigation = (request.method === 'GET' || request.method === 'HEAD') && wantsHtml
    if (hasShell && isNavigation && !RESERVED.some((pattern) => pattern.test(path))) {
      return reply.code(200).header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html')
    }
    return sendError(reply, 404, 'not_found', `No route for ${request.method} ${path}.`)
  })
}
