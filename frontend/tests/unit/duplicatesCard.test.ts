import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n, setLocale } from '@/locales'
import type { TicketDuplicates } from '@/api/duplicates'

vi.mock('@/api/duplicates', () => ({ getDuplicates: vi.fn(), mergeTicket: vi.fn(), unmergeTicket: vi.fn() }))
import { getDuplicates } from '@/api/duplicates'
import DuplicatesCard from '@/components/DuplicatesCard.vue'

const summary = { id: 'T20261206-00002', title: '小区电梯故障困人', status: 'received', hotline: '12345' }
const found = {
  ticket_id: 'T20261206-00003',
  window_days: 30,
  threshold: 0.3,
  items: [{ ticket: summary, score: 0.64, text_similarity: 0.54, reasons: ['similar_text', 'same_place'], mergeable_into: true }],
  merge: null,
  main: null,
  merged: [],
} as unknown as TicketDuplicates

function login(role: string): void {
  const session = { idToken: 'x', accessToken: 'x', refreshToken: 'x', expiresAt: Date.now() + 3_600_000, user: { id: 'u', name: '王', role, unit_id: null } }
  sessionStorage.setItem('hotline.session', JSON.stringify(session))
}

async function mountCard(status: string) {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div />' } }, { path: '/tickets/:id', name: 'ticket-detail', component: { template: '<div />' } }] })
  const pinia = createPinia()
  setActivePinia(pinia)
  const wrapper = mount(DuplicatesCard, { props: { ticket: { id: 'T20261206-00003', status, hotline: '12345' } }, global: { plugins: [pinia, i18n, router] } })
  await flushPromises()
  return wrapper
}

describe('the duplicates card (R-12345-18)', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    sessionStorage.clear()
    vi.mocked(getDuplicates).mockReset()
  })

  it('names the reasons and offers the merge to an operator on a ticket waiting for dispatch', async () => {
    login('operator')
    vi.mocked(getDuplicates).mockResolvedValue(found)
    const wrapper = await mountCard('received')
    const text = wrapper.get('[data-test="duplicates-table"]').text()
    expect(text).toContain('内容相似')
    expect(text).toContain('同一地点或被反映对象')
    expect(text).toContain('64%')
    expect(text).not.toContain('same_place')
    expect(wrapper.find('[data-test="duplicate-merge"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('offers no merge to an analyst, and shows a merged ticket its main ticket and result', async () => {
    login('analyst')
    vi.mocked(getDuplicates).mockResolvedValue({
      ...found,
      items: [],
      merge: { into: summary.id, by: 'op1', at: '2026-12-06T01:00:00+00:00', from_status: 'received' },
      main: { ...summary, status: 'closed', reply: { sections: { result: '已协调维保单位修复电梯' }, by: 'uh1', at: '' }, closed_at: '2026-12-07T01:00:00+00:00' },
    } as unknown as TicketDuplicates)
    const wrapper = await mountCard('merged')
    expect(wrapper.find('[data-test="duplicate-merge"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="duplicates-unmerge"]').exists()).toBe(false)
    expect(wrapper.get('[data-test="duplicates-main"]').text()).toContain('本工单已并入主工单')
    expect(wrapper.get('[data-test="duplicates-main-result"]').text()).toContain('已协调维保单位修复电梯')
    wrapper.unmount()
  })
})
