import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { login as apiLogin, logout as apiLogout, verifyTotp } from '@/api/auth'
import type { LoginResponse, Role, TotpChallenge, User } from '@/api/auth/types'

const STORAGE_KEY = 'hotline.session'

/** No refresh token: it never reaches the browser (R-SEC-05); the session ends with the ID token. */
interface Session {
  idToken: string
  accessToken: string
  /** Epoch milliseconds when the id token expires. */
  expiresAt: number
  user: User
}

function readSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY)
    if (!raw) return null
    const s = JSON.parse(raw) as Session & { refreshToken?: string }
    if (s && 'refreshToken' in s) {
      delete s.refreshToken // stored by an older build: never kept (R-SEC-05)
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s))
    }
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
  /** Set when the session ended after 15 minutes without input. */
  const idle = ref(false)

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

  function start(res: LoginResponse): User {
    const s: Session = {
      idToken: res.id_token,
      accessToken: res.access_token,
      expiresAt: Date.now() + (res.expires_in > 0 ? res.expires_in : 3600) * 1000,
      user: res.user,
    }
    session.value = s
    expired.value = false
    idle.value = false
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s))
    return res.user
  }

  /** The password step: the user, or the TOTP challenge that comes next (R-SEC-06). */
  async function login(username: string, password: string, newPassword?: string): Promise<User | TotpChallenge> {
    const body = newPassword ? { username, password, new_password: newPassword } : { username, password }
    const res = await apiLogin(body)
    return 'challenge' in res ? res : start(res)
  }

  /** The TOTP step of a pending login. */
  async function completeTotp(sessionId: string, code: string): Promise<User> {
    return start(await verifyTotp({ session: sessionId, code }))
  }

  function clear(): void {
    session.value = null
    sessionStorage.removeItem(STORAGE_KEY)
  }

  /** Revoke the session at the server (best effort: the tab forgets it either way) and forget it. */
  function logout(): void {
    const token = session.value?.idToken
    if (token) void apiLogout(token).catch(() => undefined)
    expired.value = false
    clear()
  }

  /** No input for the idle limit (R-SEC-05): forget the session and say why on the login page. The token
   * is gone from the tab; it is not revoked at the server, which would end the user's other tabs too. */
  function idleOut(): void {
    expired.value = false
    clear()
    idle.value = true
  }

  /** The server refused our token: drop the session and remember why. */
  function expire(): void {
    expired.value = true
    clear()
  }

  return {
    session,
    expired,
    idle,
    user,
    token,
    role,
    landing,
    isLoggedIn,
    hasRole,
    login,
    completeTotp,
    logout,
    idleOut,
    expire,
    clear,
  }
})
