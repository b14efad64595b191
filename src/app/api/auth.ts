import * as v from 'valibot'
import type { User } from '../../protocol'
import type { LoginBody } from '../../protocol/requests'
import { request, requestVoid } from './client'

export const userSchema = v.object({
  id: v.pipe(v.union([v.string(), v.number()]), v.transform(String)),
  email: v.string(),
  role: v.literal('admin'),
})

const loginResponseSchema = v.object({
  token: v.pipe(v.string(), v.minLength(1)),
  user: userSchema,
})

export interface LoginResponse {
  token: string
  user: User
}

export function login(body: LoginBody): Promise<LoginResponse> {
  return request('/api/auth/login', loginResponseSchema, { method: 'POST', body })
}

export function logout(token: string): Promise<void> {
  return requestVoid('/api/auth/logout', { method: 'POST', token })
}

/** Ends every token of this admin, on every device and node (`POST /api/auth/logout-all`). */
export function logoutEverywhere(token: string): Promise<void> {
  return requestVoid('/api/auth/logout-all', { method: 'POST', token })
}
