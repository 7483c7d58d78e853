import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { defineComponent, h, ref } from 'vue'
import type { TicketPublic, Verb } from '@/api/tickets/types'
import { ApiError } from '@/api/request'
import { i18n, setLocale } from '@/locales'
import { useTicketsStore } from '@/stores/tickets'
import { extensionDayDisabled, provideWorkPane, type WorkPane } from '@/composables/workPane'

vi.mock('@/api/tickets', () => ({ runAction: vi.fn() }))
import { runAction } from '@/api/tickets'
import ActionDialog from '@/components/ActionDialog.vue'

const NOW = new Date('2026-12-01T02:00:00Z')

describe('an extension cannot end on or before the current due', () => {
  it('refuses the due day itself and every day before it (Asia/Shanghai)', () => {
    const due = '2026-12-10T09:30:00Z' // 17:30 on 10 December in Shanghai
    expect(extensionDayDisabled(new Date(2026, 11, 9), due, NOW)).toBe(true)
    expect(extensionDayDisabled(new Date(2026, 11, 10), due, NOW)).toBe(true)
    expect(extensionDayDisabled(new Date(2026, 11, 11), due, NOW)).toBe(false)
  })

  it('takes the due day in Shanghai, not in UTC', () => {
    const due = '2026-12-10T17:00:00Z' // already 01:00 on 11 December in Shanghai
    expect(extensionDayDisabled(new Date(2026, 11, 11), due, NOW)).toBe(true)
    expect(extensionDayDisabled(new Date(2026, 11, 12), due, NOW)).toBe(false)
  })

  it('without a due only the past is refused', () => {
    expect(extensionDayDisabled(new Date(2026, 10, 30), null, NOW)).toBe(true)
    expect(extensionDayDisabled(new Date(2026, 11, 1), null, NOW)).toBe(false)
  })
})

const ticket = {
  id: 'T20261204-0002',
  version: 3,
  category: 'complaint',
  unit_id: 'U001',
  status: 'handling',
  handle_due: '2099-12-10T09:30:00Z',
  extension: { reason: '需协调', requested_due: '2099-12-30', requested_by: 'uh1', requested_at: '2026-12-01T00:00:00Z', decision: null },
} as unknown as TicketPublic

let wrapper: VueWrapper | undefined
let pane: WorkPane | undefined

/** ActionDialog on a page that provides a work pane (as TicketDetailView does). */
async function openOnPage(verb: Verb) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const store = useTicketsStore()
  store.units = [{ id: 'U001', name: '海游街道办事处', kind: 'township', contacts: [] }]
  store.templates = [{ category: 'complaint', sections: [{ id: 'result', title: '处理结果', required: true, guidance: '' }] }]
  const dialog = ref<{ open: (v: Verb) => Promise<void> }>()
  const Page = defineComponent({
    setup() {
      pane = provideWorkPane()
      return () => h(ActionDialog, { ticket, ref: dialog })
    },
  })
  wrapper = mount(Page, { global: { plugins: [pinia, i18n] }, attachTo: document.body })
  await dialog.value!.open(verb)
  await flushPromises()
}

const docked = (verb: string) => document.querySelector<HTMLElement>(`aside[data-test="action-dialog"][data-verb="${verb}"]`)

describe('the work pane', () => {
  beforeEach(() => setLocale('zh-CN'))
  afterEach(() => {
    wrapper?.unmount()
    document.body.innerHTML = ''
    vi.mocked(runAction).mockReset()
  })

  it('docks reply beside the ticket, focuses the first field and closes on Esc', { timeout: 30_000 }, async () => {
    await openOnPage('reply')
    const el = docked('reply')
    expect(el).not.toBeNull()
    expect(document.querySelector('.el-dialog')).toBeNull()
    expect(pane!.verb.value).toBe('reply')
    expect(document.activeElement).toBe(el!.querySelector('textarea'))
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(docked('reply')).toBeNull()
    expect(pane!.verb.value).toBeNull()
  })

  it('follows a switch from one pane to another', { timeout: 30_000 }, async () => {
    await openOnPage('reply')
    const open = (wrapper!.findComponent(ActionDialog).vm as unknown as { open: (v: Verb) => Promise<void> }).open
    await open('request-extension')
    await flushPromises()
    expect(docked('reply')).toBeNull()
    expect(docked('request-extension')).not.toBeNull()
    expect(pane!.verb.value).toBe('request-extension')
  })

  it('keeps the dialog for the other verbs', async () => {
    await openOnPage('return')
    expect(docked('return')).toBeNull()
    expect(document.querySelector('.el-dialog[data-verb="return"]')).not.toBeNull()
    expect(pane!.verb.value).toBeNull()
  })

  it('shows the current due on an extension and marks the field a 422 names', async () => {
    vi.mocked(runAction).mockRejectedValue(
      new ApiError(422, 'validation_error', '输入有误', { fields: { new_due: '须晚于当前办理期限' } }),
    )
    await openOnPage('request-extension')
    const el = docked('request-extension')!
    expect(el.querySelector('[data-test="current-due"]')!.textContent).toContain('2099-12-10 17:30')
    const reason = el.querySelector<HTMLTextAreaElement>('textarea[data-test="field-reason"]')!
    reason.value = '需协调住建部门'
    reason.dispatchEvent(new Event('input'))
    const due = el.querySelector<HTMLInputElement>('[data-test="field-new-due"] input')!
    due.value = '2099-12-20'
    due.dispatchEvent(new Event('input'))
    due.dispatchEvent(new Event('change'))
    await flushPromises()
    el.querySelector<HTMLButtonElement>('[data-test="dialog-confirm"]')!.click()
    await flushPromises()
    expect(runAction).toHaveBeenCalled()
    await new Promise((r) => setTimeout(r, 150)) // the form item shows its message 100 ms after its state turns to error
    await flushPromises()
    const item = el.querySelector('[data-test="field-new-due"]')!.closest('.el-form-item')!
    expect(item.classList.contains('is-error')).toBe(true)
    expect(item.textContent).toContain('须晚于当前办理期限')
  }, 30_000)
})
