import { describe, expect, it } from 'vitest'
import { describeEventData, type EventDataHelpers } from '@/views/tickets/eventData'

const labels: Record<string, string> = {
  'common.yes': '是',
  'common.no': '否',
  'eventData.call': '电话通知',
  'eventData.unit_id': '承办单位',
  'eventData.reason': '原因',
  'eventData.other_unit': '转其他单位',
  'satisfaction.satisfied': '满意',
  'eventData.satisfaction': '满意度',
  'eventData.outcome': '结果',
  'eventData.sections': '答复章节',
  'callOutcome.reached': '已接通',
  'replySection.basis': '政策法规依据',
  'eventData.stage': '逾期时办理环节',
  'overdueStage.dispatcher': '派单员审核回访',
  'eventData.alert': '预警',
  'alertKind.handle_overdue': '办理逾期',
  'eventData.escalated': '列入疑难工单',
  'eventData.decision_due': '领导决定期限',
  'eventData.difficult_trigger': '列入疑难原因',
  'difficultTrigger.false_reply': '虚假反馈',
  'difficultTrigger.manual': '人工标记',
  'eventData.decision': '决定',
  'extensionDecision.approved': '同意延期',
  'envDecision.refer': '移送有权机关',
}
const h: EventDataHelpers = {
  t: (k) => labels[k] ?? k,
  te: (k) => k in labels,
  unitName: (id) => (id === 'U001' ? '海游街道办事处' : id),
  dateTime: () => '2026-11-26 11:59',
}

describe('describeEventData', () => {
  it('names a source: a channel, the partner platform by name, or just 合作平台 when unknown', () => {
    const named = { ...h, partnerName: (id: string) => (id === 'p-county' ? '县应急联动平台' : null) }
    const t = (k: string, v?: Record<string, unknown>) =>
      k === 'ticket.partnerSource' ? `合作平台（${String(v?.name)}）` : ({ 'channel.phone': '电话', 'roles.partner': '合作平台' } as Record<string, string>)[k] ?? k
    const te = (k: string) => k === 'channel.phone' || k === 'roles.partner' || k === 'ticket.partnerSource'
    const helpers: EventDataHelpers = { ...named, t, te }
    expect(describeEventData({ source: 'phone' }, helpers)).toBe('source：电话')
    expect(describeEventData({ source: 'p-county' }, helpers)).toBe('source：合作平台（县应急联动平台）')
    expect(describeEventData({ source: 'p-gone' }, helpers)).toBe('source：合作平台')
  })

  it('names an extension or acceptance decision and keeps a leader decision as written', () => {
    expect(describeEventData({ decision: 'approved' }, h)).toBe('决定：同意延期')
    expect(describeEventData({ decision: 'refer' }, h)).toBe('决定：移送有权机关')
    expect(describeEventData({ decision: '由住建局牵头办理' }, h)).toBe('决定：由住建局牵头办理')
  })

  it('names why a ticket went to the leader and by when it must decide (R-12345-10)', () => {
    const escalated = { difficult_trigger: 'false_reply', joined: false, decision_due: '2026-11-26T03:59:00+00:00' }
    expect(describeEventData({ escalated }, h)).toBe('列入疑难工单：虚假反馈，领导决定期限 2026-11-26 11:59')
    expect(describeEventData({ escalated: { ...escalated, joined: true } }, h)).toBe('列入疑难工单：虚假反馈')
    expect(describeEventData({ difficult_trigger: 'manual' }, h)).toBe('列入疑难原因：人工标记')
  })
  it('shows the call that told each co-unit (R-12345-02) and who held an overdue ticket (R-12345-08)', () => {
    const s = describeEventData({ co_calls: [{ unit_id: 'U001', to_name: '周*', to_phone: '139****0001', contact_enc: 'x' }] }, h)
    expect(s).toBe('海游街道办事处电话通知：周* 139****0001')
    expect(describeEventData({ stage: 'dispatcher' }, h)).toBe('逾期时办理环节：派单员审核回访')
    expect(describeEventData({ alert: 'handle_overdue' }, h)).toBe('预警：办理逾期')
  })
  it('shows the phone call of a dispatch with the unit name', () => {
    const s = describeEventData({ unit_id: 'U001', call: { to_name: '周海', to_phone: '13957600001', note: '已通知', by: 'op1' } }, h)
    expect(s).toBe('承办单位：海游街道办事处；电话通知：周海 13957600001（已通知）')
  })
  it('translates booleans, satisfaction and ISO times, hides empties and internal keys', () => {
    const s = describeEventData(
      { reason: '不属于本单位', other_unit: false, satisfaction: 'satisfied', handle_due: '2026-11-26T03:59:00+00:00', note: null, by: 'op1', sections: [] },
      h,
    )
    expect(s).toBe('原因：不属于本单位；转其他单位：否；满意度：满意；handle_due：2026-11-26 11:59')
  })
  it('names call outcomes and reply sections by the catalogue, keeps free text as typed', () => {
    expect(describeEventData({ outcome: 'reached' }, h)).toBe('结果：已接通')
    expect(describeEventData({ outcome: '对方稍后回电' }, h)).toBe('结果：对方稍后回电')
    expect(describeEventData({ sections: ['basis', 'site_check'] }, h)).toBe('答复章节：政策法规依据、site_check')
    expect(describeEventData({ sections: ['basis'] }, { ...h, sectionTitle: () => '范本标题' })).toBe('答复章节：范本标题')
  })
  it('is empty for no data', () => {
    expect(describeEventData(null, h)).toBe('')
  })
})
