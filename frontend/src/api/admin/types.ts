import type { Role } from '@/api/auth/types'

export const UNIT_KINDS = ['township', 'bureau', 'company', 'other'] as const
export type UnitKind = (typeof UNIT_KINDS)[number]

export const CONTACT_ROLES = ['handler', 'leader', 'other'] as const
export type ContactRole = (typeof CONTACT_ROLES)[number]

export interface AdminContact {
  name: string
  phone: string
  role: ContactRole
}

export interface AdminUnit {
  id: string
  name: string
  kind: UnitKind
  active?: boolean
  contacts: AdminContact[]
  updated_at?: string
  updated_by?: string
}

/** Body of POST /admin/units (with `id`) and PUT /admin/units/{id} (without). */
export interface UnitWrite {
  id?: string
  name: string
  kind: UnitKind
  active?: boolean
  contacts: AdminContact[]
}

export interface AdminUser {
  username: string
  name: string
  email?: string | null
  role: Role | null
  unit_id: string | null
  enabled: boolean
  status?: string
  /** R-SEC-04: when the lockout after failed logins ends (UTC ISO), null when not locked. */
  locked_until?: string | null
}

export interface UserPage {
  items: AdminUser[]
  next_page: string | null
}

export interface UserCreate {
  username: string
  name: string
  role: Role
  unit_id?: string | null
  email?: string
  temporary_password?: string
  password?: string
}

export interface UserUpdate {
  name?: string
  role?: Role
  unit_id?: string | null
}
