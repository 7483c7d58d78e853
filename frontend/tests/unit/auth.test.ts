import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { LoginResponse } from '@/api/auth/types'

vi.mock('@/api/auth', () => ({ login: vi.fn(), fetchMe: vi.fn() }))
import { login as apiLogin } from '@/api/auth'
import { landingFor, useAuthStore } from '@/stores/auth'

const response: LoginResponse = {
  id_token: 'id-1',
  access_token: 'acc-1',
  refresh_token: 'ref-1',
  expires_in: 3600,
  user: { id: 'u-op', name: '王经办', role: 'operator', unit_id: null },
}

describe('the auth store', () => {
  beforeEach(() => {
    sessionStorage.clear()
    setActivePinia(createPinia())
    vi.mocked(apiLogin).mockReset()
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
    expect(stored.refreshToken).toBe('ref-1')
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
