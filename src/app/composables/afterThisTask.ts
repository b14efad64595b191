import { onScopeDispose } from 'vue'

/**
 * Runs `run` from a zero-delay timer: in a task after the current one, not in it. For start-up
 * work the first screen does not need (a chunk request, an IndexedDB read, a listener), so that
 * on a slow phone it is not part of the mount's task (docs/architecture.md, "A tab's start-up"). Called
 * in a component's setup or an effect scope; cancelled when that scope ends first.
 */
export function afterThisTask(run: () => void): void {
  const timer = setTimeout(run, 0)
  onScopeDispose(() => clearTimeout(timer))
}
