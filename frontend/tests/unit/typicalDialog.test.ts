import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { StatsReport, TypicalAnalysis, TypicalSummary } from '@/api/stats/types'
import { i18n, setLocale } from '@/locales'

vi.mock('@/api/stats', () => ({
  exportExcel: vi.fn(),
  getEnvMonthly: vi.fn(async () => ({ month: '', hotline: '12369', figures: {} })),
  getReport: vi.fn(),
  getTrend: vi.fn(async () => ({ months: [] })),
  getTypicalSummary: vi.fn(),
  monthlyReportPdf: vi.fn(),
  putTypicalAnalysis: vi.fn(),
  typicalPdf: vi.fn(),
}))
vi.mock('@/api/tickets', () => ({ runAction: vi.fn() }))
import { getReport, getTypicalSummary, putTypicalAnalysis } from '@/api/stats'
import StatsView from '@/views/stats/StatsView.vue'

/** R-12345-15: the analysis paragraph of the typical-ticket summary, saved from the statistics page's dialog. */

const report = (month: string) =>
  ({ month, county: { figures: {} }, units: [], owners: [], definitions: [] }) as unknown as StatsReport

const version = (v: number, text: string): TypicalAnalysis => ({
  version: v,
  text,
  by: 'analyst',
  by_name: '赵敏',
  at: '2026-11-30T02:00:00+00:00',
  at_label: '2026-11-30 10:00',
})

const summary = (month: string, analysis: TypicalAnalysis | null): TypicalSummary => ({
  month,
  items: [],
  confidential_withheld: 0,
  analysis,
  history: analysis ? [analysis] : [],
  can_edit: true,
})

let wrapper: VueWrapper | undefined

async function mountAt(path: string) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/stats', component: StatsView }] })
  await router.push(path)
  wrapper = mount(StatsView, {
    global: { plugins: [pinia, i18n, router], stubs: { HotspotsCard: true, TrendChart: true } },
    attachTo: document.body,
  })
  await flushPromises()
  return router
}

const el = (test: string) => document.querySelector<HTMLElement>(`[data-test="${test}"]`)

async function openDialog() {
  el('stats-typical')!.click()
  await flushPromises()
}

describe('the typical-ticket summary dialog (R-12345-15)', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    vi.mocked(getReport).mockReset().mockImplementation(async (m: string) => report(m))
    vi.mocked(getTypicalSummary).mockReset()
    vi.mocked(putTypicalAnalysis).mockReset()
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    document.body.innerHTML = ''
  })

  it('opens on the month in the address, so a reload stays on last month', async () => {
    vi.mocked(getTypicalSummary).mockResolvedValue(summary('2026-11', version(1, '上月路灯诉求集中')))
    await mountAt('/stats?month=2026-11')
    expect(getReport).toHaveBeenCalledWith('2026-11')
    await openDialog()
    expect(getTypicalSummary).toHaveBeenCalledWith('2026-11')
    expect(el('typical-analysis-text')).toHaveProperty('value', '上月路灯诉求集中')
    expect(el('typical-analysis')!.textContent).toContain('赵敏 撰写 · 第 1 版')
  })

  it('saves once however often the button is clicked while the save runs', async () => {
    vi.mocked(getTypicalSummary).mockResolvedValue(summary('2026-11', null))
    let answer: (v: TypicalAnalysis) => void = () => undefined
    vi.mocked(putTypicalAnalysis).mockImplementation(() => new Promise((resolve) => (answer = resolve)))
    await mountAt('/stats?month=2026-11')
    await openDialog()
    const box = el('typical-analysis-text') as HTMLTextAreaElement
    box.value = '路灯诉求集中'
    box.dispatchEvent(new Event('input'))
    el('typical-analysis-save')!.click()
    el('typical-analysis-save')!.click()
    await flushPromises()
    expect(putTypicalAnalysis).toHaveBeenCalledTimes(1)
    expect(putTypicalAnalysis).toHaveBeenCalledWith('2026-11', '路灯诉求集中', 0)
    vi.mocked(getTypicalSummary).mockResolvedValue(summary('2026-11', version(1, '路灯诉求集中')))
    answer(version(1, '路灯诉求集中'))
    await flushPromises()
    expect(el('typical-analysis')!.textContent).toContain('第 1 版')
  })

  it('never shows an earlier load while the dialog loads again', async () => {
    vi.mocked(getTypicalSummary).mockResolvedValueOnce(summary('2026-11', version(1, '旧稿')))
    await mountAt('/stats?month=2026-11')
    await openDialog()
    expect(el('typical-analysis-text')).not.toBeNull()
    vi.mocked(getTypicalSummary).mockReturnValueOnce(new Promise(() => undefined)) // still loading
    await openDialog()
    expect(el('typical-analysis-text')).toBeNull() // nothing to type into (and save against) until it is loaded
  })
})
