/** Roles of docs/api.md; the same string values as the backend's enum. */
export const ROLES = ['operator', 'analyst', 'leader', 'unit_handler', 'records', 'admin', 'auditor'] as const
export type Role = (typeof ROLES)[number]

export interface User {
  id: string
  name: string
  role: Role
  unit_id: string | null
}

export interface LoginRequest {
  username: string
  password: string
}

export interface LoginResponse {
  id_token: string
  access_token: string
  refresh_token: string
  /** Seconds the id token stays valid. */
  expires_in: number
  user: User
}
