import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { TicketPublic } from '@/api/tickets/types'
import type { Instruction } from '@/api/instructions/types'
import { i18n, setLocale } from '@/locales'

vi.mock('@/api/tickets', () => ({ getTicket: vi.fn(), getTicketEvents: vi.fn(async () => ({ items: [] })), runAction: vi.fn() }))
vi.mock('@/api/directory', () => ({ listUnits: vi.fn(async () => ({ items: [] })), listReplyTemplates: vi.fn(async () => ({ items: [] })) }))
vi.mock('@/api/evidence', async (real) => ({ ...(await real<typeof import('@/api/evidence')>()), listEvidence: vi.fn(async () => ({ items: [] })) }))
vi.mock('@/api/instructions', () => ({
  listInstructions: vi.fn(async () => ({ items: [] })),
  listOpenInstructions: vi.fn(),
  chaseInstruction: vi.fn(async () => ({})),
}))
import { getTicket } from '@/api/tickets'
import { chaseInstruction, listOpenInstructions } from '@/api/instructions'
import TicketDetailView from '@/views/tickets/TicketDetailView.vue'
import InstructionsView from '@/views/tickets/InstructionsView.vue'

function signIn(role: string): void {
  const user = { id: `${role}1`, username: `${role}1`, role, name: '测试', unit_id: null }
  const session = { idToken: 'x', accessToken: 'x', refreshToken: 'x', expiresAt: Date.now() + 3_600_000, user }
  sessionStorage.setItem('hotline.session', JSON.stringify(session))
}

function router() {
  return createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div />' } }, { path: '/tickets/:id', name: 'ticket-detail', component: { template: '<div />' } }] })
}

const difficult = {
  id: 'T20261204-00001',
  title: '占道经营',
  category: 'complaint',
  status: 'handling',
  hotline: '12345',
  channel: 'phone',
  caller: { name: '张**', phone: '', employer: '', address: '' },
  caller_masked: true,
  flags: { difficult: true },
  allowed_actions: [],
  version: 3,
  difficult: {
    reason: '承办单位虚假反馈，自动列入疑难工单',
    by: 'op1',
    at: '2026-12-04T02:00:00+00:00',
    decision: null,
    decided_by: null,
    decided_at: null,
    trigger: 'false_reply',
    triggers: ['false_reply', 'overdue'],
    decision_due: '2026-12-08T09:30:00+00:00',
    history: [{ reason: '群众多次反映', by: 'op1', at: '2026-12-01T02:00:00+00:00', decision: '街道牵头', decided_by: 'leader1', decided_at: null }],
  },
} as unknown as TicketPublic

describe('escalation in the SPA (R-12345-10/16)', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    sessionStorage.clear()
  })

  it('the ticket page names why and by when, keeps the earlier decision and links the sheet', async () => {
    signIn('leader')
    vi.mocked(getTicket).mockResolvedValue(difficult)
    const wrapper = mount(TicketDetailView, { props: { id: difficult.id }, global: { plugins: [createPinia(), i18n, router()] } })
    await flushPromises()
    const card = wrapper.get('[data-test="ticket-difficult"]')
    expect(card.get('[data-test="ticket-difficult-trigger"]').text()).toBe('虚假反馈、超期未办结')
    expect(card.text()).toContain('2026-12-08 17:30')
    expect(card.text()).toContain('群众多次反映 → 街道牵头')
    expect(card.find('[data-test="difficult-sheet"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('the analyst sees open instructions, the overdue marked, and chases one', async () => {
    signIn('analyst')
    const item = {
      id: 'I1',
      ticket_id: 'T20261204-00001',
      text: '请三日内办结',
      leader: '陈建国',
      recorded_by: 'analyst1',
      recorded_at: '2026-12-01T02:00:00+00:00',
      to: { kind: 'unit', id: 'U001' },
      forwarded_at: '2026-12-01T02:00:00+00:00',
      due: '2026-12-04T09:30:00+00:00',
      next_chase_at: '2026-12-04T09:30:00+00:00',
      chases: [],
      status: 'open',
      answer: null,
      overdue: true,
    } as Instruction
    vi.mocked(listOpenInstructions).mockResolvedValue({ items: [item] })
    const wrapper = mount(InstructionsView, { global: { plugins: [createPinia(), i18n, router()] } })
    await flushPromises()
    expect(vi.mocked(listOpenInstructions)).toHaveBeenCalledWith({ mine: true })
    const table = wrapper.get('[data-test="instructions-table"]')
    expect(table.text()).toContain('请三日内办结')
    expect(table.text()).toContain('逾期')
    await wrapper.get('[data-test="instructions-chase"]').trigger('click')
    await flushPromises()
    expect(vi.mocked(chaseInstruction)).toHaveBeenCalledWith('T20261204-00001', 'I1')
    wrapper.unmount()
  })
})
