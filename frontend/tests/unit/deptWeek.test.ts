import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { DeptWeek } from '@/api/work/types'
import { i18n, setLocale } from '@/locales'
import { createPinia, setActivePinia, type Pinia } from 'pinia'

vi.mock('@/api/work', () => ({ departmentWeeks: vi.fn(), departmentDraft: vi.fn(), submitReport: vi.fn() }))
vi.mock('@/api/evidence', async (real) => ({
  ...(await real<typeof import('@/api/evidence')>()),
  listEvidence: vi.fn(async () => ({ items: [] })),
}))
import { listEvidence } from '@/api/evidence'
import { departmentDraft, departmentWeeks, submitReport } from '@/api/work'
import WorkDeptWeekView from '@/views/work/WorkDeptWeekView.vue'

/** R-WORK-01 科室周报: each member's report state by name; the combined report's form for its coordinator only. */

const report = {
  week: '2026-11-02',
  owner_id: 'op2',
  planned: [{ text: '修订值班表', outcome: 'not_done' as const, cause: '人员调整', measure: '周三前定稿', important: true }],
  unplanned: [],
  plan: [{ text: '整理工单分类目录', important: false }],
  submitted_at: '2026-11-02T03:00:00+00:00',
  due_at: '2026-11-02T02:00:00+00:00',
  late: true,
}

const dept = (canSubmit: boolean): DeptWeek => ({
  id: 'biz',
  name: '业务科',
  coordinator_id: 'op1',
  coordinator: '李娜',
  can_submit: canSubmit,
  members: [
    { id: 'op1', name: '李娜', state: 'missing', submitted_at: null, report: null },
    { id: 'op2', name: '王芳', state: 'late', submitted_at: report.submitted_at, report },
  ],
  combined: { id: 'DEPT#biz', name: '业务科', state: 'missing', submitted_at: null, report: null },
})

let wrapper: VueWrapper | undefined
let pinia: Pinia

async function mountView(canSubmit: boolean) {
  vi.mocked(departmentWeeks).mockResolvedValue({ week: '2026-11-02', due_at: report.due_at, departments: [dept(canSubmit)] })
  wrapper = mount(WorkDeptWeekView, { global: { plugins: [i18n, pinia] }, attachTo: document.body })
  await flushPromises()
}

const el = (test: string) => document.querySelector<HTMLElement>(`[data-test="${test}"]`)

describe('the department week (R-WORK-01)', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    pinia = createPinia()
    setActivePinia(pinia)
    vi.mocked(departmentWeeks).mockReset()
    vi.mocked(departmentDraft).mockReset()
    vi.mocked(submitReport).mockReset()
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    document.body.innerHTML = ''
  })

  it('shows each member by name with the state of their report; a reader gets no form', async () => {
    await mountView(false)
    expect(el('dept-state-op1')?.textContent?.trim()).toBe('未提交')
    expect(el('dept-state-op2')?.textContent?.trim()).toBe('逾期提交')
    expect(el('dept-info')?.textContent).toContain('统筹人：李娜')
    expect(el('dept-form')).toBeNull()
    expect(departmentDraft).not.toHaveBeenCalled()
    expect(document.body.textContent).not.toMatch(/\b(missing|late|op1|op2|DEPT#)\b/)
  })

  it("prefills the coordinator's form from the draft and submits it for the department", async () => {
    vi.mocked(departmentDraft).mockResolvedValue({
      week: '2026-11-02',
      due_at: report.due_at,
      dept_id: 'biz',
      planned: [{ text: '推进知识库建设', outcome: '' as never, cause: '', measure: '', important: true }, ...report.planned],
      unplanned: [],
      plan: report.plan,
      submitted: null,
    })
    vi.mocked(submitReport).mockResolvedValue({ ...report, owner_id: 'DEPT#biz' })
    await mountView(true)
    expect(departmentDraft).toHaveBeenCalledWith(expect.any(String), 'biz')
    // the combined report's deliverables: its own owner path, the department in the query
    expect(el('dept-form')!.querySelector('[data-test="dept-evidence"]')).not.toBeNull()
    expect(vi.mocked(listEvidence).mock.calls.at(-1)?.[0]).toMatch(/^\/work\/weekly\/[\d-]+\?dept_id=biz$/)
    const value = (test: string) => el('dept-form')!.querySelector<HTMLInputElement>(`[data-test="${test}"] input, input[data-test="${test}"]`)?.value
    expect(value('planned-text-0')).toBe('推进知识库建设')
    expect(value('planned-cause-1')).toBe('人员调整')
    el('dept-submit')!.click()
    await flushPromises()
    const [, body] = vi.mocked(submitReport).mock.calls[0]
    expect(body).toMatchObject({ dept_id: 'biz', plan: report.plan })
    expect((body as { planned: { outcome: string }[] }).planned.map((r) => r.outcome)).toEqual(['done', 'not_done'])
  })
})
