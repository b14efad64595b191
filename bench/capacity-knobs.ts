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

${table(['variant', ...STEP_HEADERS], rows)}

Knobs that are already on, so there is nothing to buy with them: Engine.IO leaves
permessage-deflate off unless asked (no socket negotiated it, see part 9); socket.io-adapter
encodes a broadcast once and builds its WebSocket frame once (\`wsPreEncodedFrame\`), so every
watcher of a room gets the same bytes; \`ws\` validates UTF-8 with Node's own \`buffer.isUtf8\`,
which is what \`utf-8-validate\` would add; and \`bufferutil\` only speeds the masking of frames,
which only the clients' frames carry (a fan-out is the server's unmasked frames), so it is not
installed. The open-file limit is the ceiling here: 20,000 (hard limit of this sandbox; raising it
needs CAP_SYS_RESOURCE, which even root lacks in it), so "20,000" runs as 19,771 sockets.`,
  }
}
