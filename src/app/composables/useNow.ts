import { onScopeDispose, ref } from 'vue'

/** A clock ref for relative times ("3 min ago"), ticking every `intervalMs`. */
export function useNow(options: { intervalMs?: number } = {}) {
  const now = ref(Date.now())
  const timer = setInterval(() => (now.value = Date.now()), options.intervalMs ?? 30_000)
  onScopeDispose(() => clearInterval(timer))
  return { now }
}
