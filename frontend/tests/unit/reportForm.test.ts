import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { defineComponent, h, ref } from 'vue'
import type { ReportRows } from '@/api/work/types'
import ReportForm from '@/components/ReportForm.vue'
import { i18n, setLocale } from '@/locales'

/** R-WORK-01 the weekly report's form, keyboard first: Enter in an item opens the next row, Ctrl+Enter submits. */

let wrapper: VueWrapper | undefined
const submitted: number[] = []
const rows = ref<ReportRows>({ planned: [], unplanned: [], plan: [] })

async function mountForm(initial: ReportRows) {
  rows.value = initial
  const Host = defineComponent({
    setup: () => () =>
      h(ReportForm, {
        modelValue: rows.value,
        'onUpdate:modelValue': (v: ReportRows) => (rows.value = v),
        onSubmit: () => submitted.push(1),
      }),
  })
  wrapper = mount(Host, { global: { plugins: [i18n] }, attachTo: document.body })
  await flushPromises()
}

const input = (test: string) => document.querySelector<HTMLInputElement>(`[data-test="${test}"] input, input[data-test="${test}"]`)
const enter = (el: HTMLElement, ctrl = false) =>
  el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: ctrl, bubbles: true, cancelable: true }))

describe('the weekly report form (R-WORK-01)', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    submitted.length = 0
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    document.body.innerHTML = ''
  })

  it('Enter in an item adds the next row and moves the cursor to it; it never submits', async () => {
    await mountForm({ planned: [], unplanned: [], plan: [{ text: '编写月报', important: false }] })
    const first = input('plan-text-0')!
    first.focus()
    enter(first)
    await flushPromises()
    expect(rows.value.plan).toHaveLength(2)
    expect(document.activeElement).toBe(input('plan-text-1'))
    enter(input('plan-text-1')!) // an empty row opens no other
    await flushPromises()
    expect(rows.value.plan).toHaveLength(2)
    expect(submitted).toHaveLength(0)
  })

  it('Ctrl+Enter submits from any item; unfinished planned items ask for cause and measure', async () => {
    await mountForm({
      planned: [{ text: '知识库更新', outcome: 'not_done', cause: '', measure: '', important: true }],
      unplanned: [],
      plan: [],
    })
    expect(input('planned-cause-0')).not.toBeNull()
    expect(input('planned-measure-0')).not.toBeNull()
    enter(input('planned-text-0')!, true)
    await flushPromises()
    expect(submitted).toHaveLength(1)
    expect(rows.value.planned).toHaveLength(1)
  })
})
