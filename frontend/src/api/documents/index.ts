import { fetchBlob } from '@/api/blob'

/** GET /documents/difficult-sheet/{id}?format=pdf: the printable 疑难工单 for the leader (R-12345-10). */
export function difficultSheetPdf(ticketId: string): Promise<Blob> {
  return fetchBlob(`/documents/difficult-sheet/${encodeURIComponent(ticketId)}`, { format: 'pdf' }, 'application/pdf')
}
