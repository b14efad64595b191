/**
 * Starts one server process (the same entry as `npm start`) for a bench part that needs its own
 * node: its pid (for /proc figures), its file-descriptor ceiling, and a parsed /metrics scrape.
 * Binds 127.0.0.1 on a free port with a fresh SQLite file; STATIC_DIR points nowhere, since the
 * parts that use it only speak to the API and Socket.IO.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from '../../scripts/cluster-lib.mjs'

const BENCH_ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' }
const METRICS_TOKEN = 'bench-metrics-token-bench-metrics-token'

export interface BenchNode {
  url: string
  port: number
  pid: number
  /** Soft RLIMIT_NOFILE of the server process: one descriptor per socket, so the socket ceiling. */
  fdLimit: number
  /** Descriptors the server holds right now (/proc/<pid>/fd). */
  openFds(): number
  /** Every sample line of /metrics, summed per metric name (labels ignored). */
  metrics(): Promise<Map<string, number>>
  adminToken(): Promise<string>
  stop(): Promise<void>
}

async function waitForHealthy(url: string, child: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`)
    try {
      if ((await fetch(`${url}/healthz`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`server at ${url} not healthy after ${timeoutMs} ms:\n${output()}`)
}

/**
 * Parses Prometheus text: each name maps to the sum of its samples (labelled series add up), and
 * each labelled series is also kept under its full `name{labels}` key.
 */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line)
    if (!match) continue
    const [, name, labels, value] = match as unknown as [string, string, string | undefined, string]
    values.set(name, (values.get(name) ?? 0) + Number(value))
    if (labels) values.set(`${name}${labels}`, Number(value))
  }
  return values
}

/**
 * Starts the server with the bench's admin account and `env` on top (`nodeArgs`: flags for node
 * itself, e.g. a V8 option a knob comparison wants). Stops it with SIGTERM (then
 * SIGKILL after 10 s); the caller's exit handler should call `stop` so no server outlives a run.
 */
export async function startBenchNode(env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchNode> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const dir = mkdtempSync(path.join(tmpdir(), 'orderline-bench-'))
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: path.join(dir, 'orderline.sqlite'),
      STATIC_DIR: '/nonexistent-orderline-static',
      // Production refuses to start without the Host names it serves (DNS rebinding).
      ALLOWED_HOSTS: '127.0.0.1,localhost',
      // Production serves /metrics only with its token (404 without one).
      METRICS_TOKEN,
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-bench',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000))
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  await waitForHealthy(url, child, () => output)
  const pid = child.pid as number
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8')
  const fdLimit = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? Number.NaN)
  let token: string | undefined
  return {
    url,
    port,
    pid,
    fdLimit,
    openFds: () => readdirSync(`/proc/${pid}/fd`).length,
    metrics: async () => {
      const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      if (!response.ok) throw new Error(`/metrics: ${response.status}`)
      return parseMetrics(await response.text())
    },
    adminToken: async () => {
      if (token) return token
      const response = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(BENCH_ADMIN),
      })
      if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`)
      token = ((await response.json()) as { token: string }).token
      return token
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
