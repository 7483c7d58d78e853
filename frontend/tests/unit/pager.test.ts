import { describe, expect, it, vi } from 'vitest'
import { useTicketPager } from '@/composables/useTicketPager'
import type { Page, TicketListQuery, TicketSummary } from '@/api/tickets/types'

const row = (id: string) => ({ id }) as TicketSummary

describe('paging with opaque tokens', () => {
  function fakeServer() {
    const pages: Record<string, Page<TicketSummary>> = {
      first: { items: [row('a')], next_page: 'tok2' },
      tok2: { items: [row('b')], next_page: 'tok3' },
      tok3: { items: [row('c')], next_page: null },
    }
    return vi.fn(async (q: TicketListQuery) => pages[q.page ?? 'first'])
  }

  it('walks forward with next_page and back with the token stack', async () => {
    const fetcher = fakeServer()
    const pager = useTicketPager(fetcher, 1)
    await pager.search({ status: 'received' })
    expect(pager.items.value[0].id).toBe('a')
    expect(pager.hasPrev()).toBe(false)

    await pager.next()
    await pager.next()
    expect(pager.items.value[0].id).toBe('c')
    expect(pager.nextToken.value).toBeNull()
    expect(pager.pageNumber()).toBe(3)

    await pager.prev()
    expect(pager.items.value[0].id).toBe('b')
    expect(fetcher).toHaveBeenLastCalledWith({ status: 'received', limit: 1, page: 'tok2' })
    await pager.prev()
    expect(pager.items.value[0].id).toBe('a')
    expect(fetcher).toHaveBeenLastCalledWith({ status: 'received', limit: 1 })
  })

  it('starts over on new filters', async () => {
    const pager = useTicketPager(fakeServer(), 1)
    await pager.search({})
    await pager.next()
    await pager.search({ flag: 'overdue' })
    expect(pager.pageNumber()).toBe(1)
    expect(pager.items.value[0].id).toBe('a')
  })

  it('shows the error message and no rows when a page fails', async () => {
    const pager = useTicketPager(vi.fn().mockRejectedValue(new Error('boom')))
    await pager.search({})
    expect(pager.items.value).toEqual([])
    expect(pager.error.value).toBe('boom')
    expect(pager.loading.value).toBe(false)
  })
})

describe('a refused search', () => {
  it('clears the rows of the previous search, even one still under way, and keeps the reason', async () => {
    let answer: (p: Page<TicketSummary>) => void = () => undefined
    const fetcher = vi.fn(
      (q: TicketListQuery) =>
        q.keyword === 'slow'
          ? new Promise<Page<TicketSummary>>((resolve) => (answer = resolve))
          : Promise.resolve({ items: [row('a')], next_page: 'tok2' }),
    )
    const pager = useTicketPager(fetcher, 1)
    await pager.search({ status: 'received' })
    expect(pager.items.value.map((r) => r.id)).toEqual(['a'])
    const late = pager.search({ keyword: 'slow' })
    pager.clear('关键词须为 2–50 个字')
    answer({ items: [row('stale')], next_page: null })
    await late
    expect(pager.items.value).toEqual([])
    expect(pager.nextToken.value).toBeNull()
    expect(pager.loading.value).toBe(false)
    expect(pager.error.value).toBe('关键词须为 2–50 个字')
  })
})
