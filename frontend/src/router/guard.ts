import type { RouteLocationNormalized, RouteLocationRaw } from 'vue-router'
import type { Role } from '@/api/auth/types'
import { landingFor } from '@/stores/auth'

export interface GuardSession {
  loggedIn: boolean
  role: Role | undefined
}

/** Pure guard decision: `true` to proceed, or where to go instead. */
export function decide(to: RouteLocationNormalized, s: GuardSession): true | RouteLocationRaw {
  if (to.meta.public) {
    return to.name === 'login' && s.loggedIn ? landingFor(s.role) : true
  }
  if (!s.loggedIn) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  const roles = to.meta.roles
  if (roles && (!s.role || !roles.includes(s.role))) return landingFor(s.role)
  return true
}
