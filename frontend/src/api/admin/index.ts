import { http } from '@/api/request'
import type { AdminUnit, AdminUser, UnitWrite, UserCreate, UserPage, UserUpdate } from './types'

/** GET /units: every unit (inactive ones carry `active: false`). */
export function listAdminUnits(): Promise<{ items: AdminUnit[] }> {
  return http.get<{ items: AdminUnit[] }>('/units')
}

/** POST /admin/units → 201 the unit; 409 when the id is taken; 422 `contacts[i].phone` (R-12345-07). */
export function createUnit(body: UnitWrite): Promise<AdminUnit> {
  return http.post<AdminUnit>('/admin/units', body)
}

/** PUT /admin/units/{id}: replace name, kind, active and contacts. */
export function replaceUnit(id: string, body: UnitWrite): Promise<AdminUnit> {
  return http.request<AdminUnit>({ method: 'PUT', url: `/admin/units/${encodeURIComponent(id)}`, body })
}

/** POST /admin/units/{id}/deactivate. */
export function deactivateUnit(id: string): Promise<AdminUnit> {
  return http.post<AdminUnit>(`/admin/units/${encodeURIComponent(id)}/deactivate`)
}

/** GET /admin/users: one page (`page` = the previous answer's `next_page`). */
export function listUsers(page?: string | null, limit = 20): Promise<UserPage> {
  return http.get<UserPage>('/admin/users', { limit, page: page ?? undefined })
}

export function createUser(body: UserCreate): Promise<AdminUser> {
  return http.post<AdminUser>('/admin/users', body)
}

export function updateUser(username: string, body: UserUpdate): Promise<AdminUser> {
  return http.request<AdminUser>({ method: 'PUT', url: `/admin/users/${encodeURIComponent(username)}`, body })
}

export function setUserEnabled(username: string, enabled: boolean): Promise<AdminUser> {
  return http.post<AdminUser>(`/admin/users/${encodeURIComponent(username)}/${enabled ? 'enable' : 'disable'}`)
}

/** R-SEC-06: forget the user's authenticator; the next login enrols a new one (recorded). */
export function resetUserMfa(username: string): Promise<AdminUser> {
  return http.post<AdminUser>(`/admin/users/${encodeURIComponent(username)}/mfa-reset`)
}

/** R-SEC-04: end a user's lockout after failed logins now (recorded); 409 when the user is not locked. */
export function unlockUser(username: string): Promise<AdminUser> {
  return http.post<AdminUser>(`/admin/users/${encodeURIComponent(username)}/unlock`)
}
