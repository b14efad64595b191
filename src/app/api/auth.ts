import { z } from 'zod/mini'
import type { LoginBody, User } from '../../protocol'
import { request, requestVoid } from './client'

export const userSchema = z.object({
  id: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
  email: z.string(),
  role: z.literal('admin'),
})

const loginResponseSchema = z.object({
  token: z.string().check(z.minLength(1)),
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
