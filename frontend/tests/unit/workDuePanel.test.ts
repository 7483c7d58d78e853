import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { DuePanel } from '@/api/work/types'
import { i18n, setLocale } from '@/locales'

vi.mock('@/api/work', () => ({ duePanel: vi.fn() }))
import { duePanel } from '@/api/work'
import WorkDuePanel from '@/components/WorkDuePanel.vue'

/** R-WORK-04: the home page shows the week's Friday report to leaders and opens its page (the SMS link's). */

const panel = (friday: DuePanel['friday_report']): DuePanel =>
  ({
    actions: [],
    approvals_to_decide: [],
    my_pending_requests: [],
    weekly_report: { week: '2026-11-02', submitted: true, due_at: '2026-11-02T02:00:00+00:00' },
    friday_report: friday,
  }) as unknown as DuePanel

let wrapper: VueWrapper | undefined

const router = createRouter({
  history: createMemoryHistory(),
  routes: [
    { path: '/', component: { template: '<div/>' } },
    { path: '/work/friday/:week', component: { template: '<div/>' } },
  ],
})

async function mountPanel() {
  const pinia = createPinia()
  setActivePinia(pinia)
  await router.push('/')
  wrapper = mount(WorkDuePanel, { global: { plugins: [pinia, i18n, router] }, attachTo: document.body })
  await flushPromises()
}

const el = (test: string) => document.querySelector<HTMLElement>(`[data-test="${test}"]`)

describe('the home page work panel (R-WORK-04)', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    vi.mocked(duePanel).mockReset()
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    document.body.innerHTML = ''
  })

  it("opens the Friday report's page of its week", async () => {
    const report = { week: '2026-11-02', generated_at: '2026-11-06T10:05:00+00:00', counts: { done: 1, delayed: 1, open: 0, approvals: 0 } }
    vi.mocked(duePanel).mockResolvedValue(panel(report))
    await mountPanel()
    expect(el('due-friday')?.textContent).toContain('本周工作进展报告已生成')
    expect(el('due-friday-open')?.getAttribute('href')).toBe('/work/friday/2026-11-02')
    el('due-friday-open')?.click()
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/work/friday/2026-11-02')
  })

  it('shows no report line when there is none', async () => {
    vi.mocked(duePanel).mockResolvedValue(panel(null))
    await mountPanel()
    expect(el('work-due')).not.toBeNull()
    expect(el('due-friday')).toBeNull()
  })
})
