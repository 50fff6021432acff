/**
 * The shell every modal dialog shares: a dimmed backdrop, `role="dialog"` named by its heading,
 * and Esc to close (without reaching the app's own Esc handling behind it).
 */
import { useId, type ReactNode, type Ref } from 'react';

interface ModalDialogProps {
  readonly title: ReactNode;
  readonly onClose: () => void;
  readonly narrow?: boolean;
  /** Close when the backdrop is clicked (off while the dialog must stay, e.g. during an import). */
  readonly closeOnBackdrop?: boolean;
  readonly ref?: Ref<HTMLDivElement>;
  readonly children: ReactNode;
}

export function ModalDialog({ title, onClose, narrow = false, closeOnBackdrop = false, ref, children }: ModalDialogProps) {
  const titleId = useId();
  return (
    <div className="backdrop" onMouseDown={closeOnBackdrop ? (event) => event.target === event.currentTarget && onClose() : undefined}>
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className={narrow ? 'dialog narrow' : 'dialog'}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation();
            onClose();
          }
        }}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}
