// Local scale-out pieces shared by `npm run cluster`, the cluster tests and the fan-out bench:
// Orderline nodes as child processes (so they can be SIGKILLed), a private redis-server, and
// nginx running deploy/nginx.conf with local ports. Everything binds 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves `check()` once it returns a truthy value; rejects with `message` after `timeoutMs`. */
export async function waitFor(check, { timeoutMs = 15_000, intervalMs = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs
  let lastError
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value) return value
    } catch (error) {
      lastError = error
    }
    await sleep(intervalMs)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}${lastError ? `: ${lastError.message}` : ''}`)
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

function which(binary, candidates) {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' })
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null
}

export const findNginx = () => which('nginx', ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'])
export const findRedisServer = () => which('redis-server', ['/usr/bin/redis-server', '/usr/local/bin/redis-server'])

function track(child, label) {
  let output = ''
  const append = (chunk) => {
    output += chunk.toString()
    if (output.length > 200_000) output = output.slice(-100_000)
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  return { exited, output: () => `--- ${label} ---\n${output}` }
}

const running = (child) => child && child.exitCode === null && child.signalCode === null

/** Sends `signal` and waits for the exit; escalates to SIGKILL after `graceMs`. */
async function stopChild(child, exited, signal = 'SIGTERM', graceMs = 10_000) {
  if (!running(child)) return exited
  child.kill(signal)
  const timer = setTimeout(() => running(child) && child.kill('SIGKILL'), graceMs)
  const result = await exited
  clearTimeout(timer)
  return result
}

/**
 * One Orderline node (`server/main.ts`, as `npm start` runs it). `env` is added to a base that
 * makes a cluster member: shared secret, shared database and Redis, proxy trusted.
 */
export async function startNode({ port, env = {}, readyTimeoutMs = 90_000 } = {}) {
  const nodePort = port ?? (await freePort())
  const url = `http://127.0.0.1:${nodePort}`
  // ALLOWED_HOSTS: nginx passes the client's Host (its own port, not the node's) on.
  const fullEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    ORDERLINE_LOG: '0',
    TRUST_PROXY: '127.0.0.1',
    ALLOWED_HOSTS: '127.0.0.1,localhost',
    ...env,
    PORT: String(nodePort),
  }
  let child
  let tracked
  const launch = async () => {
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
      cwd: ROOT,
      env: fullEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    tracked = track(child, `node :${nodePort}`)
    try {
      await waitFor(
        async () => {
          if (!running(child)) throw new Error(`exited early (${child.exitCode ?? child.signalCode})`)
          return (await fetch(`${url}/readyz`)).ok
        },
        { timeoutMs: readyTimeoutMs, message: `node ${url} to be ready` },
      )
    } catch (error) {
      if (running(child)) child.kill('SIGKILL')
      throw new Error(`${error.message}\n${tracked.output()}`, { cause: error })
    }
  }
  await launch()
  return {
    url,
    port: nodePort,
    get pid() {
      return child.pid
    },
    get running() {
      return running(child)
    },
    get exited() {
      return tracked.exited
    },
    output: () => tracked.output(),
    /** SIGKILL: a crash, no goodbye to anyone. */
    kill: () => stopChild(child, tracked.exited, 'SIGKILL', 0),
    /** SIGTERM: the graceful path; resolves with the exit code and signal. */
    stop: (graceMs) => stopChild(child, tracked.exited, 'SIGTERM', graceMs),
    /** Starts it again on the same port with the same environment. */
    start: async () => {
      if (running(child)) throw new Error('node is already running')
      await launch()
    },
  }
}

/** A private redis-server (no persistence), so tests can kill it without touching anyone's Redis. */
export async function startRedis({ port } = {}) {
  const binary = findRedisServer()
  if (!binary) throw new Error('redis-server is not installed')
  const redisPort = port ?? (await freePort())
  let child
  let tracked
  const launch = async () => {
    child = spawn(binary, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    tracked = track(child, `redis :${redisPort}`)
    await waitFor(() => tracked.output().includes('Ready to accept connections'), { timeoutMs: 10_000, message: `redis on ${redisPort}` })
  }
  await launch()
  return {
    url: `redis://127.0.0.1:${redisPort}`,
    port: redisPort,
    get running() {
      return running(child)
    },
    kill: () => stopChild(child, tracked.exited, 'SIGKILL', 0),
    stop: () => stopChild(child, tracked.exited, 'SIGTERM', 5_000),
    start: async () => {
      if (running(child)) throw new Error('redis is already running')
      await launch()
    },
  }
}

/**
 * deploy/nginx.conf with local ports: `listen` on 127.0.0.1:<listenPort> and one upstream line per
 * node port, wrapped in a main config whose pid, logs and temp files live in `prefix`.
 */
export function renderNginxConfig({
  listenPort,
  upstreamPorts,
  prefix,
  site = readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8'),
}) {
  const upstreams = upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=3s;`).join('\n')
  let rendered = site.replace(/^\s*server 127\.0\.0\.1:\d+[^;\n]*;\n/gm, '')
  if (!/hash \$remote_addr consistent;/.test(rendered) || !/listen 80;/.test(rendered))
    throw new Error('deploy/nginx.conf changed shape: update renderNginxConfig')
  rendered = rendered
    .replace(/(hash \$remote_addr consistent;\n)/, `$1\n${upstreams}\n`)
    .replace(/listen 80;/, `listen 127.0.0.1:${listenPort};`)
  // Every local client shares 127.0.0.1, and the benches open thousands of sockets on purpose.
  rendered = rendered.replace(/limit_conn orderline_conn \d+;/, 'limit_conn orderline_conn 65535;')
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0
  return [
    asRoot ? 'user root;' : '',
    'worker_processes 1;',
    'worker_rlimit_nofile 16384;',
    'daemon off;',
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/error.log warn;`,
    'events { worker_connections 8192; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${prefix}/${kind};`),
    rendered.replace(/^/gm, '  '),
    '}',
    '',
  ].join('\n')
}

/** nginx in front of `upstreamPorts`, as a child process; `stop()` removes its temp directory. */
export async function startNginx({ upstreamPorts, listenPort } = {}) {
  const binary = findNginx()
  if (!binary) throw new Error('nginx is not installed (Debian: apt-get install -y nginx)')
  const port = listenPort ?? (await freePort())
  const prefix = mkdtempSync(path.join(tmpdir(), 'orderline-nginx-'))
  mkdirSync(path.join(prefix, 'logs'), { recursive: true })
  const conf = path.join(prefix, 'nginx.conf')
  writeFileSync(conf, renderNginxConfig({ listenPort: port, upstreamPorts, prefix }))
  const child = spawn(binary, ['-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] })
  const tracked = track(child, `nginx :${port}`)
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor(
      async () => {
        if (!running(child)) throw new Error(`nginx exited (${child.exitCode}): ${tracked.output()} ${readErrorLog(prefix)}`)
        await fetch(`${url}/healthz`)
        return true
      },
      { timeoutMs: 10_000, message: `nginx on ${port}` },
    )
  } catch (error) {
    if (running(child)) child.kill('SIGKILL')
    throw error
  }
  return {
    url,
    port,
    config: conf,
    errorLog: () => readErrorLog(prefix),
    stop: async () => {
      await stopChild(child, tracked.exited, 'SIGTERM', 3_000)
      rmSync(prefix, { recursive: true, force: true })
    },
  }
}

function readErrorLog(prefix) {
  try {
    return readFileSync(path.join(prefix, 'error.log'), 'utf8')
  } catch {
    return ''
  }
}
