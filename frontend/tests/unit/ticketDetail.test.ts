import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { TicketPublic } from '@/api/tickets/types'
import { i18n, setLocale } from '@/locales'

vi.mock('@/api/tickets', () => ({ getTicket: vi.fn(), getTicketEvents: vi.fn(), runAction: vi.fn() }))
vi.mock('@/api/directory', () => ({ listUnits: vi.fn(async () => ({ items: [] })), listReplyTemplates: vi.fn(async () => ({ items: [] })) }))
import { getTicket, getTicketEvents } from '@/api/tickets'
import TicketDetailView from '@/views/tickets/TicketDetailView.vue'

const masked = {
  id: 'T20261204-0001',
  title: '夜间施工噪音',
  category: 'complaint',
  status: 'received',
  hotline: '12345',
  channel: 'phone',
  caller: { name: '张**', phone: '138****1234', employer: '', address: '' },
  caller_masked: true,
  can_reveal: true,
  flags: {},
  allowed_actions: [],
  version: 1,
} as unknown as TicketPublic

async function mountDetail() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div />' } }] })
  const wrapper = mount(TicketDetailView, { props: { id: masked.id }, global: { plugins: [createPinia(), i18n, router] } })
  await flushPromises()
  return wrapper
}

describe('the ticket page', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    vi.mocked(getTicket).mockReset()
    vi.mocked(getTicketEvents).mockReset().mockResolvedValue({ items: [] })
  })

  it('shows who acts for the owner, until when, while a hand-over is active (R-12345-03)', async () => {
    const delegate = { handover_id: 'H1', user_id: 'op4', from_id: 'op3', until: '2026-12-07T09:30:00+00:00' }
    vi.mocked(getTicket).mockResolvedValue({ ...masked, owner_id: 'op3', delegate })
    const wrapper = await mountDetail()
    expect(wrapper.get('[data-test="ticket-delegate"]').text()).toBe('代办：op4，至 2026-12-07 17:30')
    wrapper.unmount()
    vi.mocked(getTicket).mockResolvedValue({ ...masked, delegate: null })
    const none = await mountDetail()
    expect(none.find('[data-test="ticket-delegate"]').exists()).toBe(false)
    none.unmount()
  })

  it('names the partner platform that pushed the ticket, never its id, and just 合作平台 for an unknown one', async () => {
    const pushed = { ...masked, channel: 'city', source: 'p-county', external_id: 'SM0001' } as TicketPublic
    vi.mocked(getTicket).mockResolvedValue({ ...pushed, partner_name: '县应急联动平台' })
    vi.mocked(getTicketEvents).mockResolvedValue({
      items: [
        {
          event_id: 'E1',
          seq: 1,
          type: 'received',
          at: '2026-12-04T01:00:00+00:00',
          actor_id: 'p-county',
          actor_role: 'partner',
          to_status: 'received',
          data: { source: 'p-county', external_id: 'SM0001' },
        },
      ],
    } as never)
    const wrapper = await mountDetail()
    expect(wrapper.get('[data-test="ticket-source"]').text()).toBe('合作平台（县应急联动平台）')
    const timeline = wrapper.get('[data-test="timeline-event"]').text()
    expect(timeline).toContain('来源：合作平台（县应急联动平台）')
    expect(wrapper.text()).not.toContain('p-county')
    wrapper.unmount()

    vi.mocked(getTicket).mockResolvedValue({ ...pushed, partner_name: null })
    const unknown = await mountDetail()
    expect(unknown.get('[data-test="ticket-source"]').text()).toBe('合作平台')
    expect(unknown.text()).not.toContain('p-county')
    unknown.unmount()

    setLocale('en-US')
    vi.mocked(getTicket).mockResolvedValue({ ...pushed, partner_name: '县应急联动平台' })
    const english = await mountDetail()
    expect(english.get('[data-test="ticket-source"]').text()).toBe('Partner platform (县应急联动平台)')
    english.unmount()
  })

  it('shows a channel as the source of a ticket staff entered', async () => {
    vi.mocked(getTicket).mockResolvedValue({ ...masked, source: 'phone' } as TicketPublic)
    const wrapper = await mountDetail()
    expect(wrapper.get('[data-test="ticket-source"]').text()).toBe('电话')
    wrapper.unmount()
  })

  it('names the hotline instead of showing its code', async () => {
    vi.mocked(getTicket).mockResolvedValue(masked)
    const wrapper = await mountDetail()
    expect(wrapper.get('[data-test="ticket-detail"]').text()).toContain('12345便民服务热线')
    wrapper.unmount()
  })

  it('reveals the caller and says the view went to the access log, not to the timeline (R-12345-11)', async () => {
    vi.mocked(getTicket).mockImplementation(async (_id, reveal) =>
      reveal ? { ...masked, caller_masked: false, caller: { ...masked.caller, name: '张三丰', phone: '13800001234' } } : masked,
    )
    const wrapper = await mountDetail()
    expect(wrapper.get('[data-test="caller-phone"]').text()).toBe('138****1234')
    expect(wrapper.get('[data-test="caller-reveal"]').attributes('disabled')).toBeDefined() // a reveal names its reason

    const reasons = wrapper.findAllComponents({ name: 'ElSelect' }).find((c) => c.attributes('data-test') === 'caller-reveal-reason')
    expect(reasons).toBeDefined()
    reasons!.vm.$emit('update:modelValue', 'callback')
    await flushPromises()
    await wrapper.get('[data-test="caller-reveal"]').trigger('click')
    await flushPromises()

    expect(getTicket).toHaveBeenLastCalledWith(masked.id, 'callback')
    expect(wrapper.get('[data-test="caller-phone"]').text()).toBe('13800001234')
    expect(wrapper.find('[data-test="caller-reveal"]').exists()).toBe(false)
    expect(wrapper.get('[data-test="ticket-caller"]').text()).toContain('本次查看已记入访问日志')
    expect(getTicketEvents).toHaveBeenCalledTimes(1) // the first load only: a reveal is no timeline event
    wrapper.unmount()
  })

  it('shows a 12369 report by its own stage names and its record, notices included (R-12369-01/02)', async () => {
    vi.mocked(getTicket).mockResolvedValue({
      ...masked,
      hotline: '12369',
      status: 'accepted',
      category: 'report',
      allowed_actions: ['forward'],
      env: {
        entity: { name: '某化工有限公司', address: '沙柳镇工业区8号' },
        demand: '要求查处',
        anonymous: false,
        decision_due: '2026-12-19T02:00:00+00:00',
        decision: { kind: 'accept', at: '2026-12-04T02:00:00+00:00', on_time: true },
        forward_due: '2026-12-09T09:30:00+00:00',
        finish_due: '2027-02-02T02:00:00+00:00',
        notices: [{ kind: 'decision', text: '【12369环保举报热线】您举报的环境问题已受理', at: '2026-12-04T02:00:00+00:00' }],
      },
    } as unknown as TicketPublic)
    const wrapper = await mountDetail()
    const page = wrapper.get('[data-test="ticket-detail"]')
    expect(page.get('[data-test="ticket-status"]').text()).toBe('待转送')
    expect(page.get('[data-test="env-entity"]').text()).toBe('某化工有限公司')
    expect(page.get('[data-test="env-decision"]').text()).toContain('受理')
    expect(page.get('[data-test="env-notice"]').text()).toContain('【12369环保举报热线】')
    expect(page.get('[data-test="action-forward"]').text()).toBe('转送')
    expect(page.text()).not.toMatch(/accept|forward_due|not_in_scope/)
    wrapper.unmount()
  })
})
