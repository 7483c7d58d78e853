import { http } from '@/api/request'
import type { LoginRequest, LoginResponse, User } from './types'

/** POST /auth/login: public, so no token and a 401 means wrong credentials, not expiry. */
export function login(body: LoginRequest): Promise<LoginResponse> {
  return http.post<LoginResponse>('/auth/login', body, { skipAuth: true })
}

/** GET /me: the signed-in user. */
export function fetchMe(): Promise<User> {
  return http.get<User>('/me')
}
