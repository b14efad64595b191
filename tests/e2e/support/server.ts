/**
 * Starts the real server (the same entry as `npm start`) as a child process per test file, so
 * tests can restart or kill it and read its metrics. Binds 127.0.0.1 on a free port with a fresh
 * SQLite file, serving the production build in dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from '../../../scripts/cluster-lib.mjs'

export const ADMIN_EMAIL = 'admin@orderline.test'
export const ADMIN_PASSWORD = 'e2e-admin-password'

export interface TestServer {
  url: string
  port: number
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>
  /** Starts it again on the same port and database. */
  restart(): Promise<void>
  /** Reads one metric value (sum over its series) from /metrics. */
  metric(name: string): Promise<number>
  adminToken(): Promise<string>
}

async function waitForHealthy(url: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was healthy`)
    try {
      const response = await fetch(`${url}/healthz`)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`server at ${url} not healthy after ${timeoutMs} ms`)
}

export async function startServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const dir = mkdtempSync(path.join(tmpdir(), 'orderline-e2e-'))
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: path.join(dir, 'orderline.sqlite'),
    // E2E_STATIC_DIR lets a run test another build (e.g. VITE_ENABLE_SOCKET=false) side by side.
    STATIC_DIR: process.env.E2E_STATIC_DIR ?? path.resolve('dist'),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e',
    ORDERLINE_TEST_HOOKS: '1',
    ...extraEnv,
  }
  let child: ChildProcess
  let output = ''

  const launch = async (): Promise<void> => {
    child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    try {
      await waitForHealthy(url, child)
    } catch (error) {
      child.kill('SIGKILL')
      throw new Error(`${(error as Error).message}\n--- server output ---\n${output}`, { cause: error })
    }
  }

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }

  await launch()
  let token: string | null = null
  return {
    url,
    port,
    stop,
    restart: async () => {
      await stop()
      await launch()
    },
    metric: async (name) => {
      const text = await (await fetch(`${url}/metrics`)).text()
      return text
        .split('\n')
        .filter((line) => line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{'))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0)
    },
    adminToken: async () => {
      if (token) return token
      const response = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
      })
      if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`)
      token = ((await response.json()) as { token: string }).token
      return token
    },
  }
}
