import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n, setLocale } from '@/locales'
import { ApiError } from '@/api/request'

vi.mock('@/api/work', () => ({ fridayReportHtml: vi.fn(), fridayReportPdf: vi.fn() }))
vi.mock('@/api/blob', () => ({ saveBlob: vi.fn() }))
import { fridayReportHtml, fridayReportPdf } from '@/api/work'
import { saveBlob } from '@/api/blob'
import WorkFridayView from '@/views/work/WorkFridayView.vue'
import { decide } from '@/router/guard'
import routes from '@/router/modules/work'

/** R-WORK-04: the page the head's SMS links to — the archived report in a frame that runs no script, print, PDF. */

let wrapper: VueWrapper | undefined

async function mountAt(path: string) {
  setActivePinia(createPinia())
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/work/friday/:week', component: WorkFridayView }] })
  await router.push(path)
  wrapper = mount({ template: '<router-view />' }, { global: { plugins: [i18n, router] }, attachTo: document.body })
  await flushPromises()
}

const el = <T extends HTMLElement = HTMLElement>(test: string) => document.querySelector<T>(`[data-test="${test}"]`)

describe('the Friday report page (R-WORK-04)', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    vi.mocked(fridayReportHtml).mockReset()
    vi.mocked(fridayReportPdf).mockReset()
    vi.mocked(saveBlob).mockReset()
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    document.body.innerHTML = ''
  })

  it('shows the archived HTML in a sandboxed frame, prints that frame and downloads the PDF under a Chinese name', async () => {
    vi.mocked(fridayReportHtml).mockResolvedValue('<html><body><h1>县便民服务中心本周工作进展和延误情况报告</h1></body></html>')
    const pdf = new Blob(['%PDF-1.7'], { type: 'application/pdf' })
    vi.mocked(fridayReportPdf).mockResolvedValue(pdf)
    await mountAt('/work/friday/2026-11-02')
    expect(fridayReportHtml).toHaveBeenCalledWith('2026-11-02')
    const frame = el<HTMLIFrameElement>('friday-frame')
    expect(frame?.getAttribute('srcdoc')).toContain('本周工作进展和延误情况报告')
    expect(frame?.getAttribute('sandbox')).toBe('allow-same-origin allow-modals') // no allow-scripts
    const print = vi.fn()
    Object.defineProperty(frame as HTMLIFrameElement, 'contentWindow', { value: { print }, configurable: true })
    el('friday-print')?.click()
    expect(print).toHaveBeenCalledOnce() // 打印: the report's frame, not the page around it
    el('friday-pdf')?.click()
    await flushPromises()
    expect(fridayReportPdf).toHaveBeenCalledWith('2026-11-02')
    expect(saveBlob).toHaveBeenCalledWith(pdf, '工作进展和延误情况报告（2026-11-02）.pdf')
  })

  it("shows the API's refusal and no frame", async () => {
    vi.mocked(fridayReportHtml).mockRejectedValue(new ApiError(403, 'forbidden', '只有领导、综合科和管理员可以查看周五工作报告', {}))
    await mountAt('/work/friday/2026-11-02')
    expect(el('friday-error')?.textContent).toContain('只有领导')
    expect(el('friday-frame')).toBeNull()
    expect((el<HTMLButtonElement>('friday-pdf'))?.disabled).toBe(true)
  })

  it('is opened by leaders, analysts and admins, after a login that comes back to it', () => {
    const route = routes.find((r) => r.name === 'work-friday')
    expect(route?.path).toBe('/work/friday/:week')
    const to = { name: 'work-friday', fullPath: '/work/friday/2026-11-02', path: '/work/friday/2026-11-02', meta: route?.meta ?? {} }
    expect(decide(to as never, { loggedIn: false, role: undefined })).toEqual({ name: 'login', query: { redirect: '/work/friday/2026-11-02' } })
    expect(decide(to as never, { loggedIn: true, role: 'leader' })).toBe(true)
    expect(decide(to as never, { loggedIn: true, role: 'operator' })).not.toBe(true)
  })
})
