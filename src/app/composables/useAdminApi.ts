import { ApiError } from '../api/client'
import { useSessionStore } from '../stores/session'

/**
 * Runs an admin call with the session token. A 401 means the token expired or was revoked:
 * the session is dropped, and App.vue sends the user to the login page.
 */
export function useAdminApi() {
  const session = useSessionStore()

  async function run<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = session.token
    if (!token) throw new ApiError(401, 'unauthenticated', 'Please sign in again.')
    try {
      return await call(token)
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) session.clear()
      throw error
    }
  }

  function messageOf(error: unknown, fallback: string): string {
    return error instanceof ApiError ? error.message : fallback
  }

  return { run, messageOf }
}
