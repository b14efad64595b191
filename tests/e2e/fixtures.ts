/**
 * The `test` every spec file imports instead of Playwright's: it adds a `server` fixture, one real
 * server (harness/server.ts) per spec file. The server starts before the file's first test and
 * stops when the worker moves on to the next file (or ends), so the tests of a file share its
 * database and metrics exactly as they would with beforeAll/afterAll. A file describes the server
 * it needs once, with `test.use({ serverOptions: {...} })`.
 *
 * Playwright has no file scope, hence a worker-scoped pool that holds the current file's server
 * and a test-scoped `server` that asks the pool for the server of `testInfo.file`. Test-scoped
 * fixtures are not reachable from beforeAll: shared arrangements go into `setup` instead.
 */
import { test as base } from '@playwright/test'
import { startServer, type TestServer } from '../../harness/server'
import { buildApp } from './offline-build'

export { expect } from '@playwright/test'

export interface ServerOptions {
  /** Extra environment for the server process, over the defaults of harness/server.ts. */
  env?: Record<string, string>
  /**
   * Front-end build variables (VITE_*, BUILD_ID): the app is built with them into a temp dir,
   * once per worker and set of variables (offline-build.ts), and served instead of dist/.
   */
  build?: Record<string, string>
  /**
   * The directory to serve instead of dist/ (wins over `build`), or a function that prepares it
   * (e.g. builds two variants and returns a symlink the test repoints).
   */
  staticDir?: string | (() => Promise<string>)
  /** Runs once when the file's server is healthy, before its first test (seed, shared orders). */
  setup?: (server: TestServer) => Promise<void>
  /** Runs once after the file's server stopped (temp files `staticDir` made). */
  teardown?: () => void | Promise<void>
}

interface FileServer {
  file: string
  server: TestServer
  teardown?: () => void | Promise<void>
}

/** At most one server alive per worker: the one of the spec file that runs now. */
class ServerPool {
  private current: FileServer | null = null

  async forFile(file: string, options: ServerOptions): Promise<TestServer> {
    if (this.current?.file === file) return this.current.server
    await this.close()
    try {
      const staticDir =
        typeof options.staticDir === 'function'
          ? await options.staticDir()
          : (options.staticDir ?? (options.build ? await buildApp(options.build) : undefined))
      const server = await startServer({ ...(staticDir ? { STATIC_DIR: staticDir } : {}), ...options.env })
      this.current = { file, server, teardown: options.teardown }
      await options.setup?.(server)
      return server
    } catch (error) {
      // A file whose server never became usable still cleans up what it made.
      if (this.current) await this.close()
      else await options.teardown?.()
      throw error
    }
  }

  async close(): Promise<void> {
    const closing = this.current
    this.current = null
    if (!closing) return
    try {
      await closing.server.stop()
    } finally {
      await closing.teardown?.()
    }
  }
}

export const test = base.extend<{ serverOptions: ServerOptions; server: TestServer }, { serverPool: ServerPool }>({
  serverOptions: [{}, { option: true }],
  serverPool: [
    async ({}, use) => {
      const pool = new ServerPool()
      await use(pool)
      await pool.close()
    },
    { scope: 'worker', timeout: 30_000 },
  ],
  server: [
    async ({ serverPool, serverOptions }, use, testInfo) => {
      await use(await serverPool.forFile(testInfo.file, serverOptions))
    },
    // Auto: the server is up before any other fixture (a page) and before the test body, as it
    // was in beforeAll. Its own timeout covers a front-end build on a busy two-core machine.
    { auto: true, timeout: 600_000 },
  ],
})
