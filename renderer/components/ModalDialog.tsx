/**
 * The shell every modal dialog shares: a dimmed backdrop, `role="dialog"` named by its heading,
 * Esc to close (without reaching the app's own Esc handling behind it), and focus kept inside:
 * Tab and Shift+Tab cycle through the dialog's controls, and when it closes focus goes back to
 * what had it before (the button that opened it), so a keyboard user never lands behind the
 * backdrop. The trap is `focus-trap` (what Radix and Headless UI users reach for outside those
 * kits): which elements are tabbable has many edge cases (radio groups, hidden and inert
 * elements, tabindex) that it already handles.
 */
import { createFocusTrap } from 'focus-trap';
import { useEffect, useId, useRef, type ReactNode, type Ref, type RefObject } from 'react';

interface ModalDialogProps {
  readonly title: ReactNode;
  readonly onClose: () => void;
  readonly narrow?: boolean;
  /** Close when the backdrop is clicked (off while the dialog must stay, e.g. during an import). */
  readonly closeOnBackdrop?: boolean;
  readonly ref?: Ref<HTMLDivElement>;
  readonly children: ReactNode;
}

/** Focus trapped in `container` while mounted; on unmount, back to the element focused before. */
function useFocusTrap(container: RefObject<HTMLDivElement | null>): void {
  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const trap = createFocusTrap(element, {
      // A control the dialog focused itself (autoFocus) keeps focus; otherwise the first one.
      initialFocus: () => (element.contains(document.activeElement) ? (document.activeElement as HTMLElement) : undefined),
      fallbackFocus: element,
      escapeDeactivates: false, // Esc is the dialog's own (onClose), which unmounts it.
      allowOutsideClick: true,
      returnFocusOnDeactivate: true,
      // Layout-free environments (tests) cannot tell what is displayed; a real window can.
      tabbableOptions: { displayCheck: typeof window !== 'undefined' && 'ResizeObserver' in window ? 'full' : 'none' },
    });
    trap.activate();
    return () => {
      trap.deactivate();
    };
  }, [container]);
}

export function ModalDialog({ title, onClose, narrow = false, closeOnBackdrop = false, ref, children }: ModalDialogProps) {
  const titleId = useId();
  const own = useRef<HTMLDivElement | null>(null);
  useFocusTrap(own);
  const setRef = (element: HTMLDivElement | null) => {
    own.current = element;
    if (typeof ref === 'function') ref(element);
    else if (ref) ref.current = element;
  };
  return (
    <div className="backdrop" onMouseDown={closeOnBackdrop ? (event) => event.target === event.currentTarget && onClose() : undefined}>
      <div
        ref={setRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
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
