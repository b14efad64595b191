import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as v from 'valibot'
import * as authApi from '../api/auth'
import { userSchema } from '../api/auth'
import { clearApiCache } from '../offline/apiCacheControl'
import type { User } from '../../protocol'
import { onStorageKey, readStored, writeStored } from './persist'

export const SESSION_STORAGE_KEY = 'orderline.session'

const storedSessionSchema = v.object({ token: v.pipe(v.string(), v.minLength(1)), user: userSchema })

function parseSession(value: unknown): { token: string; user: User } | null {
  const result = v.safeParse(storedSessionSchema, value)
  return result.success ? result.output : null
}

export const useSessionStore = defineStore('session', () => {
  const initial = parseSession(readStored(SESSION_STORAGE_KEY))
  const token = ref<string | null>(initial?.token ?? null)
  const user = ref<User | null>(initial?.user ?? null)
  const isAdmin = computed(() => token.value !== null && user.value?.role === 'admin')

  function set(next: { token: string; user: User } | null, persist: boolean): void {
    token.value = next?.token ?? null
    user.value = next?.user ?? null
    if (persist) writeStored(SESSION_STORAGE_KEY, next)
    if (next === null) clearApiCache() // logout here or in another tab: drop cached admin answers
  }

  async function login(email: string, password: string): Promise<void> {
    const result = await authApi.login({ email: email.trim(), password })
    // The hub learns the token from the realtime bridge, which follows `token` (the one path).
    set(result, true)
  }

  /** Ends the session locally at once; the server call is best effort. */
  async function logout(): Promise<void> {
    const previous = token.value
    clear()
    if (previous) await authApi.logout(previous).catch(() => undefined)
  }

  /**
   * Signs this admin out on every device. Unlike `logout`, the server must confirm: a failure is
   * thrown (the other sessions are still valid) and this session stays.
   */
  async function logoutEverywhere(): Promise<void> {
    const current = token.value
    if (!current) return
    await authApi.logoutEverywhere(current)
    clear()
  }

  /** Drops the session without calling the server (e.g. after a 401 on an admin call). */
  function clear(): void {
    set(null, true)
  }

  // Another tab logged in or out: follow it (the bridge then tells this tab's hub connection).
  onStorageKey(SESSION_STORAGE_KEY, (value) => {
    const next = parseSession(value)
    if (next?.token === token.value) return
    set(next, false)
  })

  return { token, user, isAdmin, login, logout, logoutEverywhere, clear }
})
