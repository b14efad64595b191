/**
 * Security, the process: `npm start` in production refuses default secrets with a clear message
 * and exit code 1, and the request logger never writes bearer tokens (admin JWTs, tracking
 * tokens) or token-like query values. Spawns server/main.ts like the e2e harness does.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

interface Run {
  code: number | null
  output: string
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

function baseEnv(port: number): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'orderline-sec-'))
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // The Node 24 pass (scripts/test-node24.mjs) loads its own better-sqlite3 build through these.
    ...(process.env.ORDERLINE_BETTER_SQLITE3_DIR
      ? { NODE_OPTIONS: process.env.NODE_OPTIONS, ORDERLINE_BETTER_SQLITE3_DIR: process.env.ORDERLINE_BETTER_SQLITE3_DIR }
      : {}),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: path.join(dir, 'db.sqlite'),
    STATIC_DIR: '/nonexistent-orderline-static',
  }
}

/** Runs main.ts until it exits (or `whileRunning` resolves, then SIGTERM). */
function runMain(env: NodeJS.ProcessEnv, whileRunning?: (url: string) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    let started = false
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (!started && whileRunning && output.includes('Orderline is listening on')) {
        started = true
        whileRunning(`http://127.0.0.1:${env.PORT}`)
          .catch((error: unknown) => {
            output += `\n[test error] ${String(error)}`
          })
          .finally(() => child.kill('SIGTERM'))
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    const timer = setTimeout(() => child.kill('SIGKILL'), 80_000)
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describe('production refuses default secrets', () => {
  it('exits 1 with a clear message for missing secrets, the demo password or a short secret', async () => {
    // In parallel: each spawn pays tsx start-up once.
    const [missing, weak] = await Promise.all([
      freePort().then((port) => runMain({ ...baseEnv(port), NODE_ENV: 'production' })),
      freePort().then((port) =>
        runMain({ ...baseEnv(port), NODE_ENV: 'production', JWT_SECRET: 'short', ADMIN_PASSWORD: 'orderline-demo' }),
      ),
    ])
    expect(missing.code).toBe(1)
    expect(missing.output).toContain(
      'Refusing to start with NODE_ENV=production: JWT_SECRET is not set; ADMIN_PASSWORD is not set; ALLOWED_HOSTS is not set.',
    )
    expect(missing.output).not.toContain('listening')
    expect(weak.code).toBe(1)
    expect(weak.output).toContain(
      'JWT_SECRET must be at least 32 characters; ADMIN_PASSWORD is the demo password; ALLOWED_HOSTS is not set.',
    )
  }, 90_000)
})

describe('tokens stay out of the logs', () => {
  // Also the control for the refusal above: production with real secrets starts and serves.
  it('never logs Authorization headers, tracking tokens or token query values', async () => {
    const secrets: string[] = []
    const env = {
      ...baseEnv(await freePort()),
      NODE_ENV: 'production',
      JWT_SECRET: 'j'.repeat(40),
      ADMIN_EMAIL: 'a@log.test',
      ADMIN_PASSWORD: 'log-test-password',
      ALLOWED_HOSTS: 'orderline.test',
    }
    const run = await runMain(env, async (url) => {
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
      const login = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'a@log.test', password: 'log-test-password' }),
      })
      const { token } = (await login.json()) as { token: string }
      const placed = await fetch(`${url}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ productId: 'espresso', quantity: 1 }], customer: { name: 'Log', email: 'log@example.com' } }),
      })
      const { order, trackingToken } = (await placed.json()) as { order: { id: string }; trackingToken: string }
      secrets.push(token, trackingToken, 'log-test-password', 'query-secret-value-123')
      await fetch(`${url}/api/orders/${order.id}`, { headers: { authorization: `Bearer ${trackingToken}` } })
      await fetch(`${url}/api/orders`, { headers: { authorization: `Bearer ${token}` } })
      // A client that wrongly puts tokens in the URL: the request log must not repeat them.
      await fetch(`${url}/api/orders/${order.id}?token=${trackingToken}&t=query-secret-value-123`)
      await fetch(`${url}/api/stats?access_token=${token}`)
      await fetch(`${url}/api/orders/%ff?token=${trackingToken}`)
    })
    expect(run.output).not.toContain('[test error]')
    expect(run.output).toContain('incoming request') // the logger really was on
    expect(run.output).toContain('[redacted]')
    for (const secret of secrets) expect(run.output, 'a secret reached the log').not.toContain(secret)
  }, 90_000)
})
