import { useI18n } from 'vue-i18n'

/**
 * `confirm(message, title, confirmText?)`: a warning box asking before an action that is hard to undo
 * (disable, revoke, merge …); resolves true when the user confirms, false when they cancel or close it.
 */
export function useConfirm() {
  const { t } = useI18n()
  return (message: string, title: string, confirmText?: string): Promise<boolean> =>
    ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText: confirmText ?? t('common.confirm'),
      cancelButtonText: t('common.cancel'),
    }).then(
      () => true,
      () => false,
    )
}
