/**
 * Part 8 — cluster fan-out (issue 8): the same 2,000 clients on one node vs spread over two nodes
 * behind nginx (PostgreSQL + Redis streams adapter). Runs bench/cluster-fanout.ts, which owns
 * its own nodes, Redis and nginx, and files its table as a section. Needs PostgreSQL, redis-server
 * and nginx, so it is not in the default set: `npm run bench -- cluster`.
 */
import { spawnSync } from 'node:child_process'
import type { Section } from './lib/report'

export async function run(): Promise<Section> {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bench/cluster-fanout.ts', '--clients', '2000'], { encoding: 'utf8', timeout: 420_000 })
  if (result.status !== 0) throw new Error(`cluster-fanout failed (${result.status}):\n${result.stderr}`)
  const lines = result.stdout.split('\n')
  const start = lines.findIndex((line) => line.startsWith('Fan-out latency'))
  const body = lines.slice(start).join('\n').trim()
  return {
    id: 'cluster',
    title: '8. Fan-out on one node vs two nodes behind nginx',
    body: `${body}

What it means: with the Redis streams adapter, an event emitted on one node reaches the sockets on
every node; spreading the same clients over two nodes halves each node's fan-out work, at the cost
of one hop through Redis. On this 2-core machine both nodes, nginx, Redis, PostgreSQL and the 2,000
clients share the same two cores, so the split cannot show the gain a second machine would give;
read the ratio as "the cross-node hop costs no more than it saves".`,
  }
}
