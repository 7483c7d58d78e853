/** R-SEC-05: a signed-in tab with no input for 15 minutes ends its session. */

export const IDLE_LIMIT_MS = 15 * 60 * 1000
export const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'scroll'] as const

/**
 * Call `onIdle` once after `limitMs` without any of ACTIVITY_EVENTS on `target`; every event starts the
 * wait again. Returns the function that stops watching (call it when the layout unmounts).
 */
export function watchIdle(onIdle: () => void, limitMs: number = IDLE_LIMIT_MS, target: EventTarget = window): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(() => {
      stop()
      onIdle()
    }, limitMs)
  }
  const stop = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    for (const name of ACTIVITY_EVENTS) target.removeEventListener(name, arm, true)
  }
  for (const name of ACTIVITY_EVENTS) target.addEventListener(name, arm, { capture: true, passive: true })
  arm()
  return stop
}
