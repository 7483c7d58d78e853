import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Confirmations } from '@/api/me/types'
import { i18n, setLocale } from '@/locales'

vi.mock('@/api/me', () => ({ getConfirmations: vi.fn(), confirmItem: vi.fn() }))
vi.mock('@/api/directory', () => ({ listUnits: vi.fn(async () => ({ items: [] })), listReplyTemplates: vi.fn(async () => ({ items: [] })) }))
vi.mock('@/api/work', () => ({ duePanel: vi.fn(async () => ({ items: [] })) }))
import { confirmItem, getConfirmations } from '@/api/me'
import ConfirmationsView from '@/views/home/ConfirmationsView.vue'
import { listTarget } from '@/views/home/confirmationLinks'
import { useTicketsStore } from '@/stores/tickets'

const row = (id: string, overdue: boolean) => ({
  id,
  title: `工单 ${id}`,
  category: 'complaint',
  status: 'received',
  hotline: '12345',
  flags: {},
  received_at: '2026-12-01T00:00:00+00:00',
  deadline: '2026-12-01T12:00:00+00:00',
  overdue,
})

const answer = (): Confirmations =>
  ({
    role: 'operator',
    warnings: [{ code: 'duty_empty', message: '当前班次值班表为空：截止提醒短信改发中心总机 13957600088，请尽快排班' }],
    groups: [
      {
        key: 'new',
        title: '新工单',
        count: 7,
        pending: 6,
        confirmed: 1,
        overdue: 1,
        items: [row('T20261201-00001', true), row('T20261201-00002', false)],
        list: [{ status: 'received' }],
      },
      {
        key: 'extensions_returns',
        title: '延期申请与退单',
        count: 2,
        pending: 2,
        confirmed: 0,
        overdue: 0,
        items: [],
        list: [
          { owner_id: 'op1', status: 'extension_requested' },
          { owner_id: 'op1', status: 'returned' },
        ],
      },
    ],
  }) as unknown as Confirmations

async function mountHome() {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { template: '<div />' } },
      { path: '/tickets', name: 'tickets', component: { template: '<div />' } },
      { path: '/unit-tickets', name: 'unit-tickets', component: { template: '<div />' } },
      { path: '/tickets/:id', name: 'ticket-detail', component: { template: '<div />' } },
    ],
  })
  const wrapper = mount(ConfirmationsView, { global: { plugins: [pinia, i18n, router] } })
  await flushPromises()
  return { wrapper, router }
}

describe('the five confirmations (R-12345-13)', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    vi.mocked(getConfirmations).mockReset().mockResolvedValue(answer())
    vi.mocked(confirmItem).mockReset()
  })

  it('shows the whole count, the overdue and confirmed counts, and the items in the server order', async () => {
    const { wrapper } = await mountHome()
    const card = wrapper.get('[data-test="confirm-card-new"]')
    expect(card.get('[data-test="confirm-count"]').attributes('data-count')).toBe('7')
    expect(card.get('[data-test="confirm-overdue"]').text()).toContain('逾期 1 件')
    expect(card.get('[data-test="confirm-done"]').text()).toContain('已确认 1 件')
    expect(card.findAll('[data-test="inbox-row"]').map((r) => r.attributes('data-ticket-id'))).toEqual([
      'T20261201-00001',
      'T20261201-00002',
    ])
    expect(wrapper.get('[data-test="confirm-card-extensions_returns"]').text()).toContain('本组工单均已确认')
    wrapper.unmount()
  })

  it('shows the empty-roster banner as an error (R-12345-12)', async () => {
    const { wrapper } = await mountHome()
    const banner = wrapper.get('[data-test="confirmations-warning"]')
    expect(banner.attributes('data-code')).toBe('duty_empty')
    expect(banner.text()).toContain('13957600088')
    wrapper.unmount()
  })

  it('records a confirmation and reloads, the item dropping off', async () => {
    vi.mocked(confirmItem).mockResolvedValue({ group: 'new', ticket_id: 'T20261201-00001', confirmed_at: '', created: true })
    const { wrapper } = await mountHome()
    const after = answer()
    after.groups[0].items = after.groups[0].items.slice(1)
    vi.mocked(getConfirmations).mockResolvedValue(after)
    await wrapper.get('[data-test="confirm-item-T20261201-00001"]').trigger('click')
    await flushPromises()
    expect(confirmItem).toHaveBeenCalledWith('new', 'T20261201-00001')
    expect(wrapper.find('[data-test="confirm-item-T20261201-00001"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('查看全部 opens the ticket list with the group query, one link per status of a mixed group', async () => {
    const { wrapper, router } = await mountHome()
    const links = wrapper.findAll('[data-test="confirm-view-all-extensions_returns"]')
    expect(links.map((l) => l.text())).toEqual(['查看全部：延期待审批', '查看全部：被退单'])
    await links[1].trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('tickets')
    expect(router.currentRoute.value.query).toEqual({ owner_id: 'op1', status: 'returned' })
    expect(useTicketsStore().inboxFilters).toEqual({ owner_id: 'op1', status: 'returned' })
    wrapper.unmount()
  })
})

describe('listTarget', () => {
  it('keeps due_before as Shanghai wall-clock time for the list filter and as ISO in the URL', () => {
    const target = listTarget({ unit_id: 'U001', due_before: '2026-12-01T02:00:00+00:00' }, true)
    expect(target.filters).toEqual({ unit_id: 'U001', due_before: '2026-12-01 10:00' })
    expect(target.to).toEqual({ name: 'unit-tickets', query: { unit_id: 'U001', due_before: '2026-12-01T02:00:00+00:00' } })
  })
})
