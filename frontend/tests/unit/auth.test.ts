import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { LoginResponse } from '@/api/auth/types'

vi.mock('@/api/auth', () => ({ login: vi.fn(), verifyTotp: vi.fn(), logout: vi.fn(), fetchMe: vi.fn() }))
import { login as apiLogin, logout as apiLogout, verifyTotp } from '@/api/auth'
import { landingFor, useAuthStore } from '@/stores/auth'

const response: LoginResponse = {
  id_token: 'id-1',
  access_token: 'acc-1',
  expires_in: 3600,
  user: { id: 'u-op', name: '王经办', role: 'operator', unit_id: null },
}

describe('the auth store', () => {
  beforeEach(() => {
    sessionStorage.clear()
    setActivePinia(createPinia())
    vi.mocked(apiLogin).mockReset()
    vi.mocked(verifyTotp).mockReset()
    vi.mocked(apiLogout).mockReset().mockResolvedValue({ ok: true })
  })

  it('keeps tokens and user in sessionStorage after login', async () => {
    vi.mocked(apiLogin).mockResolvedValue(response)
    const auth = useAuthStore()
    await auth.login('wang', 'secret')

    expect(apiLogin).toHaveBeenCalledWith({ username: 'wang', password: 'secret' })
    expect(auth.token).toBe('id-1')
    expect(auth.user?.name).toBe('王经办')
    expect(auth.isLoggedIn()).toBe(true)
    const stored = JSON.parse(sessionStorage.getItem('hotline.session') ?? '{}')
    expect(stored.idToken).toBe('id-1')
    expect(stored).not.toHaveProperty('refreshToken') // R-SEC-05: never in the browser
  })

  it('R-SEC-06: holds nothing after the password until the TOTP code is right', async () => {
    vi.mocked(apiLogin).mockResolvedValue({ challenge: 'TOTP', session: 's-1' })
    vi.mocked(verifyTotp).mockResolvedValue(response)
    const auth = useAuthStore()
    const first = await auth.login('wang', 'secret')
    expect(first).toEqual({ challenge: 'TOTP', session: 's-1' })
    expect(auth.isLoggedIn()).toBe(false)
    expect(sessionStorage.getItem('hotline.session')).toBeNull()
    const user = await auth.completeTotp('s-1', '123456')
    expect(verifyTotp).toHaveBeenCalledWith({ session: 's-1', code: '123456' })
    expect(user.id).toBe('u-op')
    expect(auth.token).toBe('id-1')
  })

  it('R-SEC-05: sends a new password for a temporary one', async () => {
    vi.mocked(apiLogin).mockResolvedValue(response)
    await useAuthStore().login('wang', 'temp', 'Own#Passw0rd2026')
    expect(apiLogin).toHaveBeenCalledWith({ username: 'wang', password: 'temp', new_password: 'Own#Passw0rd2026' })
  })

  it('R-SEC-05: drops a refresh token an older build stored', () => {
    const old = { idToken: 'id-0', accessToken: 'a', refreshToken: 'r-0', expiresAt: Date.now() + 1e6, user: response.user }
    sessionStorage.setItem('hotline.session', JSON.stringify(old))
    expect(useAuthStore().token).toBe('id-0')
    expect(sessionStorage.getItem('hotline.session')).not.toContain('r-0')
  })

  it('restores the session after a page reload', async () => {
    vi.mocked(apiLogin).mockResolvedValue(response)
    await useAuthStore().login('wang', 'secret')

    setActivePinia(createPinia()) // a fresh app, same tab
    const again = useAuthStore()
    expect(again.user?.id).toBe('u-op')
    expect(again.landing).toBe('/home')
  })

  it('is not logged in once the token lifetime is over', async () => {
    vi.mocked(apiLogin).mockResolvedValue({ ...response, expires_in: 60 })
    const auth = useAuthStore()
    await auth.login('wang', 'secret')
    expect(auth.isLoggedIn(Date.now() + 61_000)).toBe(false)
  })

  it('forgets everything on logout', async () => {
    vi.mocked(apiLogin).mockResolvedValue(response)
    const auth = useAuthStore()
    await auth.login('wang', 'secret')
    auth.logout()
    expect(apiLogout).toHaveBeenCalledWith('id-1') // R-SEC-05: revoked at the server
    expect(auth.user).toBeNull()
    expect(auth.expired).toBe(false)
    expect(sessionStorage.getItem('hotline.session')).toBeNull()
  })

  it('remembers that the session expired so login can say so', async () => {
    vi.mocked(apiLogin).mockResolvedValue(response)
    const auth = useAuthStore()
    await auth.login('wang', 'secret')
    auth.expire()
    expect(auth.expired).toBe(true)
    expect(auth.isLoggedIn()).toBe(false)
  })

  it('stores nothing when the login is refused', async () => {
    vi.mocked(apiLogin).mockRejectedValue(new Error('401'))
    const auth = useAuthStore()
    await expect(auth.login('wang', 'bad')).rejects.toThrow()
    expect(auth.user).toBeNull()
    expect(sessionStorage.getItem('hotline.session')).toBeNull()
  })

  it('checks roles', async () => {
    vi.mocked(apiLogin).mockResolvedValue({ ...response, user: { ...response.user, role: 'leader' } })
    const auth = useAuthStore()
    await auth.login('li', 'x')
    expect(auth.hasRole('leader', 'admin')).toBe(true)
    expect(auth.hasRole('operator')).toBe(false)
  })

  it.each([
    ['operator', '/home'],
    ['unit_handler', '/home'],
    ['leader', '/queue'],
    ['analyst', '/tickets'],
    ['records', '/archive'],
    ['admin', '/tickets'],
    ['auditor', '/security-log'],
  ] as const)('lands a %s on %s', (role, path) => {
    expect(landingFor(role)).toBe(path)
  })
})
