/**
 * "The first screen's content is on screen": the moment from which the app starts what that screen
 * does not need (the realtime hub's client, the service worker's registration and update prompt,
 * the toasts, the offline queues: src/app/startLater.ts).
 *
 * Why wait for it: on a phone's first visit those are chunk downloads and main-thread work that,
 * started any earlier, run between the answer's arrival and the paint that shows it, so the
 * tracking page's status showed later than it had to (docs/decisions.md, "First visit on a
 * phone"). The order itself needs none of them: its answer comes by REST, and the hub's
 * subscription that follows it catches up on anything newer (versioned merges).
 *
 * Who says it: App.vue once the route's view has rendered; a view whose content is data still on
 * its way (the tracking page) holds the moment until that data or its error is shown. It never
 * waits longer than `FIRST_CONTENT_LIMIT_MS` from start-up: a slow answer must not keep a page
 * from going live.
 */
import { onScopeDispose, shallowRef } from 'vue'

/** The longest the app waits for its first content before it starts the rest anyway. */
export const FIRST_CONTENT_LIMIT_MS = 3000

let resolveShown: () => void = () => undefined
/** Resolves (once) after the frame that shows the first screen's content, or at the limit. */
export const firstContentShown: Promise<void> = new Promise<void>((resolve) => (resolveShown = resolve))
/** The same, for templates: true from then on. */
export const firstContentDone = shallowRef(false)

let settled = false
let viewRendered = false
let holds = 0

function settle(): void {
  if (settled) return
  settled = true
  // In the performance timeline (traces, the benchmarks' runs): when the rest of the app started.
  performance.mark('orderline:first-content')
  firstContentDone.value = true
  resolveShown()
}

if (typeof window !== 'undefined') setTimeout(settle, FIRST_CONTENT_LIMIT_MS)

/**
 * After the next paint: a frame callback runs before its frame is painted, so the callback of the
 * frame after it (and a timer set there) runs once that paint is out; a zero-delay timer after a
 * single frame callback ran before the paint was shown in traces at 4x CPU. A hidden tab paints
 * no frames (requestAnimationFrame waits until it is shown), so a timer settles it as well.
 */
function afterNextPaint(run: () => void): void {
  let ran = false
  const once = (): void => {
    if (ran) return
    ran = true
    run()
  }
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(once, 0)))
  setTimeout(once, 250)
}

function check(): void {
  if (settled || !viewRendered || holds > 0) return
  afterNextPaint(settle)
}

/** App.vue: the route's first view has rendered. */
export function markViewRendered(): void {
  viewRendered = true
  check()
}

/**
 * A view whose content is still on its way: call in its setup, before it first renders. Returns
 * the release, to call once the content (or why it cannot be shown) has rendered; releasing twice
 * is harmless.
 */
export function holdFirstContent(): () => void {
  if (settled) return () => undefined
  holds++
  let released = false
  return () => {
    if (released) return
    released = true
    holds--
    check()
  }
}

/**
 * Runs `run` a task after the first content is on screen (at once, a task later, when it already
 * is). Called in a component's setup or an effect scope; cancelled when that scope ends first.
 */
export function afterFirstContent(run: () => void): void {
  let cancelled = false
  let timer: ReturnType<typeof setTimeout> | undefined
  void firstContentShown.then(() => {
    if (!cancelled) timer = setTimeout(run, 0)
  })
  onScopeDispose(() => {
    cancelled = true
    clearTimeout(timer)
  })
}
