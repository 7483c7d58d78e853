import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { ElSelect } from 'element-plus'
import { i18n, setLocale } from '@/locales'

vi.mock('@/api/calendar', () => ({
  getDutyRoster: vi.fn(),
  getDutyNow: vi.fn(async () => ({ at: '', shift: '', kind: 'day', on_duty: null })),
  getDutyStaff: vi.fn(),
  putDutyRoster: vi.fn(),
}))
vi.mock('@/api/me', () => ({ listPeople: vi.fn() }))
import { getDutyRoster, getDutyStaff, putDutyRoster } from '@/api/calendar'
import { listPeople } from '@/api/me'
import DutyView from '@/views/calendar/DutyView.vue'
import PersonSelect from '@/components/PersonSelect.vue'

const month = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7)
const row = { date: `${month}-03`, shift: 'day' as const, user_id: 'op1', name: '李娜', phone: '13957601001' }

async function mountRoster() {
  const wrapper = mount(DutyView, { global: { plugins: [i18n] } })
  await flushPromises()
  return wrapper
}

/** Choose a person in the row's picker as the select would (its v-model update). */
async function choose(wrapper: Awaited<ReturnType<typeof mountRoster>>, userId: string | undefined) {
  wrapper.getComponent(PersonSelect).getComponent(ElSelect).vm.$emit('update:modelValue', userId)
  await flushPromises()
}

describe('the duty roster page (R-12345-12)', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    vi.mocked(getDutyRoster).mockResolvedValue({ month, items: [row], defaults: {} })
    vi.mocked(listPeople).mockResolvedValue({
      items: [
        { user_id: 'op1', name: '李娜', role: 'operator' },
        { user_id: 'op2', name: '王芳', role: 'operator' },
        { user_id: 'op3', name: '张伟', role: 'operator' },
      ],
    })
    vi.mocked(getDutyStaff).mockResolvedValue({ items: [{ user_id: 'op2', name: '王芳', phone: '13957601002' }] })
    vi.mocked(putDutyRoster).mockReset().mockResolvedValue({ stored: 1, removed: 0 })
  })

  it('fills the id, the name and the mobile last entered for the person picked, and saves the month whole', async () => {
    const wrapper = await mountRoster()
    expect(listPeople).toHaveBeenCalledTimes(1) // one read for the whole table, not one per row
    await choose(wrapper, 'op2')
    const phone = wrapper.get('input[data-test="duty-phone-0"]').element as HTMLInputElement
    expect(phone.value).toBe('13957601002')
    await wrapper.get('input[data-test="duty-phone-0"]').setValue('13957609999') // still editable
    await wrapper.get('[data-test="duty-save"]').trigger('click')
    await flushPromises()
    expect(putDutyRoster).toHaveBeenCalledWith(month, [{ ...row, user_id: 'op2', name: '王芳', phone: '13957609999' }])
    wrapper.unmount()
  })

  it('never keeps the previous person’s mobile for someone with none on record', async () => {
    const wrapper = await mountRoster()
    await choose(wrapper, 'op3')
    expect((wrapper.get('input[data-test="duty-phone-0"]').element as HTMLInputElement).value).toBe('')
    await wrapper.get('[data-test="duty-save"]').trigger('click')
    await flushPromises()
    expect(putDutyRoster).not.toHaveBeenCalled() // the row needs a mobile first
    expect(wrapper.text()).toContain('值班手机须为 11 位手机号')
    wrapper.unmount()
  })
})
