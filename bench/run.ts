/**
 * `npm run bench [-- part …]`: runs the benchmark parts (all by default), each writing its section
 * to bench/results/, then assembles BENCHMARKS.md. Parts: bundle, connections (+ browser memory),
 * fanout, pollcost, server, pagestart, auth; and, when named, `cluster` (needs PostgreSQL, Redis,
 * nginx), `lighthouse` (about five minutes), `capacity` (one node's ramp to tens of thousands of
 * watchers, several minutes), `capacity-knobs` and `artillery`. Bounded: the default suite stays
 * under ten minutes on 2 cores.
 */
import { assembleBenchmarks, writeSection, type Section } from './lib/report'
import { startServer, type TestServer } from '../harness/server'

type Part = (server: TestServer) => Promise<Section | Section[]>

const PARTS: Record<string, () => Promise<Part>> = {
  bundle: async () => (await import('./bundle')).run,
  connections: async () => (await import('./connections')).run,
  fanout: async () => (await import('./fanout')).run,
  pollcost: async () => (await import('./pollcost')).run,
  server: async () => (await import('./server')).run,
  pagestart: async () => (await import('./pagestart')).run,
  auth: async () => (await import('./auth')).run,
  cluster: async () => (await import('./cluster')).run,
  lighthouse: async () => (await import('./lighthouse')).run,
  capacity: async () => (await import('./capacity')).run,
  artillery: async () => (await import('./artillery')).run,
  'capacity-knobs': async () => (await import('./capacity-knobs')).run,
}
/** Run only when named: cluster needs PostgreSQL, Redis and nginx; the others take minutes. */
const OPT_IN = new Set(['cluster', 'lighthouse', 'capacity', 'artillery', 'capacity-knobs'])
/** Parts that start their own server(s): the shared one would only take memory and a core's time. */
const OWN_SERVER = new Set(['cluster', 'capacity', 'artillery', 'capacity-knobs'])

// The bench places hundreds of orders and connects thousands of sockets from one address:
// the abuse limits that protect a public server would otherwise throttle the measurement.
const BENCH_ENV = {
  ORDERLINE_LOG: '0',
  ORDERLINE_LOGIN_RATE_LIMIT: '0',
  ORDERLINE_LOGIN_ACCOUNT_RATE_LIMIT: '0',
  ORDERLINE_ORDER_RATE_LIMIT: '0',
  ORDERLINE_WATCH_RATE_LIMIT: '0',
  ORDERLINE_CONNECTIONS_PER_IP: '0',
  ORDERLINE_SOCKETS_PER_IP: '0',
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'))
  const unknown = requested.filter((name) => !(name in PARTS))
  if (unknown.length) {
    console.error(`unknown part(s): ${unknown.join(', ')}; choose from ${Object.keys(PARTS).join(', ')}`)
    process.exit(2)
  }
  const names = requested.length ? requested : Object.keys(PARTS).filter((name) => !OPT_IN.has(name))
  const command = `npm run bench${requested.length ? ` -- ${requested.join(' ')}` : ''}`
  for (const name of names) {
    const started = performance.now()
    console.log(`\n▶ ${name}`)
    const server = OWN_SERVER.has(name) ? undefined : await startServer(BENCH_ENV)
    try {
      const part = await (PARTS[name] as () => Promise<Part>)()
      const result = await part(server as TestServer)
      for (const section of Array.isArray(result) ? result : [result]) {
        writeSection(section, command)
        console.log(
          section.body
            .split('\n')
            .filter((line) => line.startsWith('|'))
            .join('\n'),
        )
      }
    } finally {
      await server?.stop()
    }
    console.log(`  ${name}: ${((performance.now() - started) / 1000).toFixed(0)} s`)
  }
  assembleBenchmarks()
  console.log('\nwrote BENCHMARKS.md')
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
