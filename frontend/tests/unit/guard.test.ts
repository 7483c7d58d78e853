import { describe, expect, it } from 'vitest'
import type { RouteLocationNormalized } from 'vue-router'
import { decide } from '@/router/guard'
import '@/router/types'

const route = (over: Partial<RouteLocationNormalized>) =>
  ({ name: 'x', fullPath: '/x', path: '/x', meta: {}, ...over }) as RouteLocationNormalized

describe('route guards by role', () => {
  it('sends anonymous users to login and back afterwards', () => {
    expect(decide(route({ fullPath: '/tickets/T1' }), { loggedIn: false, role: undefined })).toEqual({
      name: 'login',
      query: { redirect: '/tickets/T1' },
    })
  })

  it('keeps a unit handler out of the operator entry form', () => {
    const to = route({ name: 'ticket-new', meta: { roles: ['operator'] } })
    expect(decide(to, { loggedIn: true, role: 'unit_handler' })).toBe('/home')
    expect(decide(to, { loggedIn: true, role: 'operator' })).toBe(true)
  })

  it('sends a signed-in user away from the login page', () => {
    expect(decide(route({ name: 'login', meta: { public: true } }), { loggedIn: true, role: 'leader' })).toBe('/queue')
  })
})
