/**
 * Popover positioning over floating-ui, in its own module so that PopoverController loads it on
 * the first open (the banner's chunk does not carry floating-ui) with only the parts it uses.
 */
import {
  autoUpdate,
  computePosition,
  flip,
  offset,
  shift,
  size,
  type Placement,
} from '@floating-ui/dom';

/** Keeps `floating` next to `anchor` until the returned cleanup runs; shows it once placed. */
export function followAnchor(
  anchor: HTMLElement,
  floating: HTMLElement,
  placement: Placement,
): () => void {
  return autoUpdate(anchor, floating, () => {
    void computePosition(anchor, floating, {
      placement,
      strategy: 'fixed',
      middleware: [
        offset(6),
        flip(),
        shift({ padding: 8 }),
        size({
          padding: 8,
          apply({ availableWidth, availableHeight }) {
            floating.style.maxWidth = `${Math.min(availableWidth, 420)}px`;
            floating.style.maxHeight = `${Math.max(availableHeight, 160)}px`;
          },
        }),
      ],
    }).then(({ x, y }) => {
      Object.assign(floating.style, { left: `${x}px`, top: `${y}px`, visibility: 'visible' });
    });
  });
}
