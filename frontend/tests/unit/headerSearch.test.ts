import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Role } from '@/api/auth/types'
import { i18n, setLocale } from '@/locales'

const push = vi.fn()
vi.mock('vue-router', () => ({ useRouter: () => ({ push }) }))
import HeaderSearch from '@/components/HeaderSearch.vue'

let wrapper: VueWrapper | undefined

function mountAs(role: Role): VueWrapper {
  sessionStorage.setItem(
    'hotline.session',
    JSON.stringify({
      idToken: 'id',
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: Date.now() + 3600_000,
      user: { id: 'u1', name: '李娜', role, unit_id: role === 'unit_handler' ? 'U001' : null },
    }),
  )
  const pinia = createPinia()
  setActivePinia(pinia)
  wrapper = mount(HeaderSearch, { global: { plugins: [pinia, i18n] } })
  return wrapper
}

async function type(w: VueWrapper, text: string): Promise<void> {
  const input = w.find('input[data-test="header-search"]')
  await input.setValue(text)
  await input.trigger('keyup', { key: 'Enter' })
  await flushPromises()
}

describe('the header search box', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    push.mockReset()
    sessionStorage.clear()
  })
  afterEach(() => wrapper?.unmount())

  it('opens the ticket list with a ticket number, a phone typed any way, or a keyword', async () => {
    const w = mountAs('operator')
    for (const typed of ['T20261201-00001', '+86 138-0000-1234', '１３８００００１２３４', '噪音 扰民😀']) {
      await type(w, typed)
      expect(push).toHaveBeenLastCalledWith({ name: 'tickets', query: { q: typed } })
    }
    expect(w.find('[data-test="header-search-error"]').exists()).toBe(false)
  })

  it('searches a unit handler’s own unit list', async () => {
    const w = mountAs('unit_handler')
    await type(w, '噪音')
    expect(push).toHaveBeenCalledWith({ name: 'unit-tickets', query: { q: '噪音' } })
  })

  it('names what is wrong in Chinese and sends nothing', async () => {
    const w = mountAs('operator')
    await type(w, '长'.repeat(1000))
    expect(w.find('[data-test="header-search-error"]').text()).toContain('关键词')
    await type(w, '138 0000')
    expect(w.find('[data-test="header-search-error"]').text()).toContain('来电号码')
    expect(push).not.toHaveBeenCalled()
  })

  it('searches a caller’s full name when 姓名 is picked beside the box or typed as a prefix', async () => {
    const w = mountAs('operator')
    await type(w, '姓名：张三')
    expect(push).toHaveBeenLastCalledWith({ name: 'tickets', query: { q: '姓名：张三' } })
    w.findComponent({ name: 'ElSelect' }).vm.$emit('update:modelValue', 'caller_name')
    await flushPromises()
    await type(w, '张 三')
    expect(push).toHaveBeenLastCalledWith({ name: 'tickets', query: { q: '张 三', by: 'caller_name' } })
    await type(w, '😀')
    expect(w.find('[data-test="header-search-error"]').text()).toContain('姓名')
  })

  it('keeps a name lookup to operators and leaders (R-12345-11)', async () => {
    const w = mountAs('analyst')
    await type(w, '姓名:张三')
    expect(w.find('[data-test="header-search-error"]').text()).toContain('仅限话务员和领导')
    expect(push).not.toHaveBeenCalled()
  })

  it('keeps a phone lookup to operators and leaders (R-12345-11)', async () => {
    const w = mountAs('analyst')
    await type(w, '13800001234')
    expect(w.find('[data-test="header-search-error"]').text()).toContain('仅限话务员和领导')
    expect(push).not.toHaveBeenCalled()
  })
})
