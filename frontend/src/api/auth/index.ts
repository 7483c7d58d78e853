import { http } from '@/api/request'
import type { LoginRequest, LoginResponse, MfaRequest, TotpChallenge, User } from './types'

/** POST /auth/login: public, so no token and a 401 means wrong credentials, not expiry. */
export function login(body: LoginRequest): Promise<LoginResponse | TotpChallenge> {
  return http.post<LoginResponse | TotpChallenge>('/auth/login', body, { skipAuth: true })
}

/** POST /auth/mfa: the TOTP code of a pending login (R-SEC-06). */
export function verifyTotp(body: MfaRequest): Promise<LoginResponse> {
  return http.post<LoginResponse>('/auth/mfa', body, { skipAuth: true })
}

/** POST /auth/logout: the server refuses every token of this user issued so far (R-SEC-05). */
export function logout(token: string): Promise<unknown> {
  return http.post('/auth/logout', {}, { skipAuth: true, headers: { Authorization: `Bearer ${token}` } })
}

/** GET /me: the signed-in user. */
export function fetchMe(): Promise<User> {
  return http.get<User>('/me')
}
