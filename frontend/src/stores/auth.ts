import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { login as apiLogin } from '@/api/auth'
import type { Role, User } from '@/api/auth/types'

const STORAGE_KEY = 'hotline.session'

interface Session {
  idToken: string
  accessToken: string
  refreshToken: string
  /** Epoch milliseconds when the id token expires. */
  expiresAt: number
  user: User
}

function readSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY)
    if (!raw) return null
    const s = JSON.parse(raw) as Session
    return s && s.idToken && s.user ? s : null
  } catch {
    return null
  }
}

/** Where each role lands after login. */
export function landingFor(role: Role | undefined): string {
  switch (role) {
    case 'operator':
    case 'unit_handler':
      return '/home'
    case 'leader':
      return '/queue'
    case 'admin':
    case 'analyst':
      return '/tickets'
    case 'records':
      return '/archive'
    case 'auditor':
      return '/security-log'
    default:
      return '/login'
  }
}

/** Session: tokens and user in sessionStorage (gone when the tab closes). */
export const useAuthStore = defineStore('auth', () => {
  const session = ref<Session | null>(readSession())
  /** Set when the session ended because the server said 401 (shown on the login page). */
  const expired = ref(false)

  const user = computed(() => session.value?.user ?? null)
  const token = computed(() => session.value?.idToken ?? null)
  const role = computed<Role | undefined>(() => session.value?.user.role)
  const landing = computed(() => landingFor(role.value))

  function isLoggedIn(now: number = Date.now()): boolean {
    return !!session.value && session.value.expiresAt > now
  }

  function hasRole(...roles: Role[]): boolean {
    return !!role.value && roles.includes(role.value)
  }

  async function login(username: string, password: string): Promise<User> {
    const res = await apiLogin({ username, password })
    const s: Session = {
      idToken: res.id_token,
      accessToken: res.access_token,
      refreshToken: res.refresh_token,
      expiresAt: Date.now() + (res.expires_in > 0 ? res.expires_in : 3600) * 1000,
      user: res.user,
    }
    session.value = s
    expired.value = false
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s))
    return res.user
  }

  function clear(): void {
    session.value = null
    sessionStorage.removeItem(STORAGE_KEY)
  }

  function logout(): void {
    expired.value = false
    clear()
  }

  /** The server refused our token: drop the session and remember why. */
  function expire(): void {
    expired.value = true
    clear()
  }

  return { session, expired, user, token, role, landing, isLoggedIn, hasRole, login, logout, expire, clear }
})
