import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { i18n, setLocale } from '@/locales'
import type { EvidenceFile } from '@/api/evidence/types'

vi.mock('@/api/evidence', async (real) => ({
  ...(await real<typeof import('@/api/evidence')>()),
  listEvidence: vi.fn(),
  startUpload: vi.fn(),
  confirmEvidence: vi.fn(),
  evidenceLink: vi.fn(),
  uploadToStorage: vi.fn(async () => undefined),
}))
import { confirmEvidence, evidenceBase, evidenceLink, listEvidence, startUpload, uploadToStorage } from '@/api/evidence'
import EvidenceCard from '@/components/EvidenceCard.vue'

const stored: EvidenceFile = {
  evidence_id: 'E2026120620100000000001a2b',
  owner_kind: 'work-notice-submission',
  owner_id: 'N20261206-abc123.U001',
  filename: '自查总结.pdf',
  status: 'stored',
  type: 'pdf',
  content_type: 'application/pdf',
  previewable: true,
  size: 2048,
  sha256: 'ab'.repeat(32),
  attached_by: 'uh1',
  attached_by_name: '李强',
  created_at: '2026-12-06T12:10:00+00:00',
  stored_at: '2026-12-06T12:10:05+00:00',
}

function mountCard(props: { base: string; canUpload?: boolean; compact?: boolean; title?: string; empty?: string; testId?: string }) {
  return mount(EvidenceCard, { props: { canUpload: true, ...props }, global: { plugins: [i18n] }, attachTo: document.body })
}

describe('the evidence card below any owner path', () => {
  beforeEach(() => {
    setLocale('zh-CN')
    vi.mocked(listEvidence).mockReset()
    vi.mocked(startUpload).mockReset()
    vi.mocked(confirmEvidence).mockReset()
    vi.mocked(evidenceLink).mockReset()
  })

  it('builds the owner paths the API serves, encoded', () => {
    expect(evidenceBase.ticket('T20261206-00001')).toBe('/tickets/T20261206-00001')
    expect(evidenceBase.action('A1')).toBe('/work/actions/A1')
    expect(evidenceBase.report('2026-12-07')).toBe('/work/weekly/2026-12-07')
    expect(evidenceBase.notice('N1')).toBe('/work/notices/N1')
    expect(evidenceBase.submission('N1', 'U 1')).toBe('/work/notices/N1/units/U%201')
  })

  it('lists, uploads and downloads through its base path; compact: no column of its own for type or checksum', async () => {
    const base = evidenceBase.submission('N20261206-abc123', 'U001')
    vi.mocked(listEvidence).mockResolvedValueOnce({ items: [] }).mockResolvedValue({ items: [stored] })
    vi.mocked(startUpload).mockResolvedValue({ ...stored, status: 'pending', upload: { url: 'https://s3/x', fields: {} }, max_bytes: 1, expires_in: 900 })
    vi.mocked(confirmEvidence).mockResolvedValue(stored)
    vi.mocked(evidenceLink).mockResolvedValue({ ...stored, url: 'https://s3/get', expires_in: 900 })
    const wrapper = mountCard({ base, compact: true, title: '本单位报送材料', empty: '暂无材料', testId: 'submission-evidence' })
    await flushPromises()
    expect(listEvidence).toHaveBeenCalledWith(base)
    expect(wrapper.get('[data-test="submission-evidence"]').text()).toContain('本单位报送材料')
    expect(wrapper.text()).toContain('暂无材料')

    const input = wrapper.get('[data-test="evidence-input"]')
    const file = new File(['%PDF-1.4'], '自查总结.pdf', { type: 'application/pdf' })
    Object.defineProperty(input.element, 'files', { value: [file] })
    await input.trigger('change')
    await flushPromises()
    expect(startUpload).toHaveBeenCalledWith(base, '自查总结.pdf', file.size)
    expect(uploadToStorage).toHaveBeenCalled()
    expect(confirmEvidence).toHaveBeenCalledWith(base, stored.evidence_id)
    expect(wrapper.get('[data-test="evidence-name"]').text()).toBe('自查总结.pdf')
    expect(wrapper.emitted('changed')?.at(-1)?.[0]).toEqual([stored])
    const headers = wrapper.findAll('[data-test="evidence-list"] th').map((h) => h.text())
    expect(headers).not.toContain('SHA-256')
    expect(headers).not.toContain('类型')
    expect(wrapper.get('[data-test="evidence-list"]').text()).toContain('PDF')
    expect(wrapper.get('[data-test="evidence-list"]').text()).not.toContain('pdf ')

    const open = vi.spyOn(window, 'open').mockReturnValue(null)
    await wrapper.get('[data-test="evidence-download"]').trigger('click')
    await flushPromises()
    expect(evidenceLink).toHaveBeenCalledWith(base, stored.evidence_id)
    expect(open).toHaveBeenCalledWith('https://s3/get', '_blank', 'noopener')
    wrapper.unmount()
  })

  it('a ticket keeps the full table and offers no upload to a reader', async () => {
    vi.mocked(listEvidence).mockResolvedValue({ items: [stored] })
    const wrapper = mountCard({ base: evidenceBase.ticket('T20261206-00001'), canUpload: false })
    await flushPromises()
    expect(listEvidence).toHaveBeenCalledWith('/tickets/T20261206-00001')
    expect(wrapper.find('[data-test="ticket-evidence"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="evidence-upload"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-test="evidence-list"] th').map((h) => h.text())).toContain('SHA-256')
    wrapper.unmount()
  })
})
