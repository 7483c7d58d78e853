import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { TicketPublic } from '@/api/tickets/types'
import { ApiError } from '@/api/request'
import { i18n, setLocale } from '@/locales'

vi.mock('@/api/tickets', () => ({ createTicket: vi.fn(), runAction: vi.fn(), listTickets: vi.fn() }))
vi.mock('@/api/directory', () => ({
  listUnits: vi.fn(async () => ({ items: [{ id: 'U001', name: '住建局', kind: 'department', contacts: [] }] })),
  listReplyTemplates: vi.fn(async () => ({ items: [] })),
}))
import { listTickets } from '@/api/tickets'
import TicketCreateView from '@/views/tickets/TicketCreateView.vue'
import { dispatchBody, matchUnits, saveAndDispatch } from '@/views/tickets/intakeDispatch'

const saved = { id: 'T20261205-00001', status: 'received' } as unknown as TicketPublic
const body = { title: '路灯不亮' } as never
const to = { unit_id: 'U001', to_name: ' 周海 ', to_phone: '139 5760 0001' }

describe('保存并派单 (intakeDispatch)', () => {
  it('saves, then dispatches with the call that told the unit (R-12345-02)', async () => {
    const api = { create: vi.fn(async () => saved), dispatch: vi.fn(async () => ({ ...saved, status: 'dispatched' }) as TicketPublic) }
    const result = await saveAndDispatch(api, body, to)
    expect(result.kind).toBe('dispatched')
    expect(api.dispatch).toHaveBeenCalledWith(saved.id, { unit_id: 'U001', call: { to_name: '周海', to_phone: '13957600001' } })
  })

  it('a failed dispatch leaves the saved ticket, named with the error', async () => {
    const api = { create: vi.fn(async () => saved), dispatch: vi.fn(async () => Promise.reject(new ApiError(409, 'conflict', '工单已被他人处理'))) }
    expect(await saveAndDispatch(api, body, to)).toEqual({ kind: 'saved', ticket: saved, error: '工单已被他人处理' })
  })

  it('a failed save throws and never dispatches', async () => {
    const api = { create: vi.fn(async () => Promise.reject(new ApiError(422, 'validation_error', '输入有误'))), dispatch: vi.fn() }
    await expect(saveAndDispatch(api, body, to)).rejects.toThrow('输入有误')
    expect(api.dispatch).not.toHaveBeenCalled()
  })

  it('type-ahead matches name or id; one match is the one Enter takes', () => {
    const units = [
      { id: 'U001', name: '住建局' },
      { id: 'U002', name: '交通局' },
    ]
    expect(matchUnits(units, '住建').map((u) => u.id)).toEqual(['U001'])
    expect(matchUnits(units, 'u002').map((u) => u.id)).toEqual(['U002'])
    expect(matchUnits(units, '')).toHaveLength(2)
    expect(dispatchBody(to)).toEqual({ unit_id: 'U001', call: { to_name: '周海', to_phone: '13957600001' } })
  })
})

async function mountForm(role: string) {
  sessionStorage.setItem(
    'hotline.session',
    JSON.stringify({ idToken: 'x', accessToken: 'x', refreshToken: 'x', expiresAt: Date.now() + 3600e3, user: { id: 'op1', role, name: '李娜' } }),
  )
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { template: '<div />' } },
      { path: '/tickets/:id', name: 'ticket-detail', component: { template: '<div />' } },
    ],
  })
  const wrapper = mount(TicketCreateView, { attachTo: document.body, global: { plugins: [pinia, i18n, router] } })
  await flushPromises()
  return wrapper
}

describe('the intake form', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    vi.mocked(listTickets).mockReset()
  })

  it('starts on the hotline, so 热线/渠道/类别 come first in Tab order', async () => {
    const wrapper = await mountForm('operator')
    const hotline = wrapper.get('[data-test="field-hotline"]').element
    expect(hotline.contains(document.activeElement)).toBe(true)
    const order = ['field-hotline', 'field-channel', 'field-category', 'field-title'].map((k) => wrapper.get(`[data-test="${k}"]`).element)
    for (let i = 1; i < order.length; i++) {
      expect(order[i - 1].compareDocumentPosition(order[i]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
    }
    expect(wrapper.get('[data-test="ticket-create-dispatch"]').text()).toBe('保存并派单')
    wrapper.unmount()
  })

  it("shows the caller's earlier tickets once per number, newest first as the server sends them", async () => {
    vi.mocked(listTickets).mockResolvedValue({
      items: [
        { id: 'T20261204-00002', title: '又坏了', status: 'dispatched', received_at: '2026-12-04T01:00:00+00:00' },
        { id: 'T20261101-00001', title: '路灯', status: 'closed', received_at: '2026-11-01T01:00:00+00:00' },
      ] as never,
      next_page: null,
    })
    const wrapper = await mountForm('operator')
    const phone = wrapper.get('[data-test="field-caller-phone"]')
    await phone.setValue('139 5760 0009')
    await phone.trigger('blur')
    await phone.trigger('blur')
    await flushPromises()
    expect(listTickets).toHaveBeenCalledTimes(1)
    expect(listTickets).toHaveBeenCalledWith({ phone: '13957600009', limit: 10 })
    const items = wrapper.findAll('[data-test="caller-history-item"]').map((i) => i.attributes('data-ticket-id'))
    expect(items).toEqual(['T20261204-00002', 'T20261101-00001'])
    wrapper.unmount()
  })

  it('looks nobody up for a role that may not (R-12345-11)', async () => {
    const wrapper = await mountForm('admin')
    const phone = wrapper.get('[data-test="field-caller-phone"]')
    await phone.setValue('13957600009')
    await phone.trigger('blur')
    await flushPromises()
    expect(listTickets).not.toHaveBeenCalled()
    expect(wrapper.find('[data-test="caller-history"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
