/**
 * Part 9b — knobs for the capacity of one node, each compared with the shipped settings in one
 * run: the same 20,000 watchers (the goal) and 100 changes/s (bench/capacity.ts) on a fresh node
 * per variant, baseline first. Opt-in: `npm run bench -- capacity-knobs`; raise the open-file
 * limit first (`ulimit -n 65536`), or the step is capped at the limit.
 */
import { STEP_HEADERS, capacityRun, stepRows } from './capacity'
import type { Section } from './lib/report'
import { table } from './lib/stats'

interface Knob {
  name: string
  env?: Record<string, string>
  nodeArgs?: string[]
}

/**
 * A larger young generation: every event, frame and PATCH allocates short-lived objects, and
 * each scavenge stops the event loop; 64 MB semi-spaces (V8 defaults to 16 MB on 64-bit) mean fewer.
 */
const KNOBS: Knob[] = [{ name: 'shipped settings' }, { name: 'node --max-semi-space-size=64', nodeArgs: ['--max-semi-space-size=64'] }]

const SOCKETS = 20_000

export async function run(): Promise<Section> {
  const rows: string[][] = []
  for (const knob of KNOBS) {
    console.log(`  ${knob.name}`)
    const result = await capacityRun(knob.env ?? {}, [{ sockets: SOCKETS, perSocket: 1 }], knob.nodeArgs ?? [])
    for (const row of stepRows(result.steps)) rows.push([knob.name, ...row])
  }
  return {
    id: 'capacity-knobs',
    title: '9b. Capacity knobs: each against the shipped settings, one run',
    body: `The capacity step of part 9 at ${SOCKETS.toLocaleString('en')} sockets, once per variant on a fresh node (same columns).

${table(['variant', ...STEP_HEADERS], rows)}`,
  }
}
