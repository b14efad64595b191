/**
 * Part 8 — cluster fan-out: the same 2,000 clients on one node vs spread over two nodes
 * behind nginx (PostgreSQL + Redis streams adapter). Runs bench/cluster-fanout.ts, which owns
 * its own nodes, Redis and nginx, and files its table as a section. Needs PostgreSQL, redis-server
 * and nginx, so it is not in the default set: `npm run bench -- cluster`.
 */
import { spawnSync } from 'node:child_process'
import type { Section } from './lib/report'

export async function run(): Promise<Section> {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/cluster-fanout.ts', '--clients', '2000'], {
    encoding: 'utf8',
    timeout: 420_000,
  })
  if (result.status !== 0) throw new Error(`cluster-fanout failed (${result.status}):\n${result.stderr}`)
  const lines = result.stdout.split('\n')
  const start = lines.findIndex((line) => line.startsWith('Fan-out latency'))
  const body = lines.slice(start).join('\n').trim()
  return {
    id: 'cluster',
    title: '8. Fan-out on one node vs two nodes behind nginx',
    body: `${body}

What it means: with the Redis streams adapter an event emitted on one node reaches the sockets on
every node, and nothing was lost either way. Spreading the clients over two nodes does not make
fan-out faster *here*: both nodes, nginx, Redis, PostgreSQL and the 2,000 clients share the same
two cores, so the second node adds hops (nginx, the Redis stream) and competes for CPU instead of
adding any. Its gain — each node serving half the sockets on its own cores — needs a second
machine; on one small box, one node is the faster choice.`,
  }
}
