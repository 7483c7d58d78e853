import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import { VERBS, type TicketPublic, type Verb } from '@/api/tickets/types'
import { i18n, setLocale } from '@/locales'
import { useTicketsStore } from '@/stores/tickets'
import { ACTIONS, emptyActionForm, visibleFields } from '@/views/tickets/actionForm'

vi.mock('@/api/tickets', () => ({ runAction: vi.fn() }))
import { runAction } from '@/api/tickets'
import ActionDialog from '@/components/ActionDialog.vue'

const ticket = {
  id: 'T20261204-0001',
  version: 4,
  category: 'complaint',
  unit_id: 'U001',
  extension: { reason: '需协调', requested_due: '2026-12-30', requested_by: 'uh1', requested_at: '2026-12-01T00:00:00Z', decision: null },
} as unknown as TicketPublic

let wrapper: VueWrapper | undefined

async function openDialog(verb: Verb) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const store = useTicketsStore()
  store.units = [
    { id: 'U001', name: '海游街道办事处', kind: 'township', contacts: [{ name: '周海', phone: '13957600001', role: 'handler' }] },
    {
      id: 'U002',
      name: '县住建局',
      kind: 'bureau',
      contacts: [
        { name: '陈一', phone: '13957600002', role: 'handler' },
        { name: '陈二', phone: '13957600003', role: 'leader' },
      ],
    },
  ]
  store.templates = [
    {
      category: 'complaint',
      sections: [
        { id: 'result', title: '处理结果', required: true, guidance: '' },
        { id: 'basis', title: '政策法规依据', required: false, guidance: '' },
      ],
    },
  ]
  wrapper = mount(ActionDialog, { props: { ticket }, global: { plugins: [pinia, i18n] }, attachTo: document.body })
  await (wrapper.vm as unknown as { open: (v: Verb) => Promise<void> }).open(verb)
  await flushPromises()
  return document.querySelector<HTMLElement>(`.el-dialog[data-verb="${verb}"]`)!
}

const hooks = (dlg: HTMLElement) =>
  [...dlg.querySelectorAll('[data-test^="field-"]')].map((el) => el.getAttribute('data-test'))

describe('the action dialog renders each verb from its descriptor', () => {
  beforeEach(() => setLocale('zh-CN'))
  afterEach(() => {
    wrapper?.unmount()
    document.body.innerHTML = ''
  })

  it.each(VERBS.filter((v) => v !== 'reply' && v !== 'report'))('%s shows the descriptor fields, in order', async (verb) => {
    const dlg = await openDialog(verb)
    // el-date-picker drops data-test (README); the date field the e2e tests use carries it on a wrapper
    const expected = visibleFields(ACTIONS[verb], emptyActionForm()).flatMap((f) => ('test' in f && f.kind !== 'datetime' ? [f.test] : []))
    expect(hooks(dlg)).toEqual(expected)
    if (!expected.length) expect(dlg.textContent).toContain('确认对工单 T20261204-0001 执行')
  })

  it('a 12369 result report shows its four parts (R-12369-06)', async () => {
    const dlg = await openDialog('report')
    expect(hooks(dlg)).toEqual([
      'field-section-matter',
      'field-section-investigation',
      'field-section-decision',
      'field-section-reply',
    ])
    expect(dlg.textContent).toContain('调查核实情况')
  })

  it('reply shows one field per template section (R-12345-06)', async () => {
    const dlg = await openDialog('reply')
    expect(hooks(dlg)).toEqual(['field-section-result', 'field-section-basis'])
    expect(dlg.textContent).toContain('处理结果')
  })

  it('record-call starts with the first contact of the ticket unit', async () => {
    const dlg = await openDialog('record-call')
    const value = (hook: string) => dlg.querySelector<HTMLInputElement>(`[data-test="${hook}"]`)!.value
    expect(value('field-call-name')).toBe('周海')
    expect(value('field-call-phone')).toBe('13957600001')
  })

  it('decide-extension shows the request it decides and its own answers', async () => {
    const dlg = await openDialog('decide-extension')
    expect(dlg.textContent).toContain('申请理由：需协调')
    expect(dlg.querySelector('[data-test="field-approve"]')!.textContent).toMatch(/批准\s*不批准/)
  })

  it('sends the body the descriptor builds', async () => {
    vi.mocked(runAction).mockResolvedValue({ ...ticket, version: 5 })
    const dlg = await openDialog('return')
    const reason = dlg.querySelector<HTMLTextAreaElement>('[data-test="field-reason"]')!
    reason.value = ' 不属于本单位 '
    reason.dispatchEvent(new Event('input'))
    await nextTick()
    dlg.querySelector<HTMLElement>('[data-test="dialog-confirm"]')!.click()
    await flushPromises()
    expect(runAction).toHaveBeenCalledWith('T20261204-0001', 'return', { version: 4, reason: '不属于本单位' })
  })
})
