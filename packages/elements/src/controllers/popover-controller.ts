import type { Placement } from '@floating-ui/dom';
import type { ReactiveController, ReactiveElement } from 'lit';

export interface PopoverOptions {
  /** Returns the floating element once rendered (it is rendered only while open). */
  floating: () => HTMLElement | null | undefined;
  placement?: Placement;
}

/**
 * A popover over floating-ui, loaded on the first open (the script tag's banner path does not
 * carry it). `autoUpdate` runs only while open; the floating element stays
 * hidden until first positioned; Escape and outside clicks close it; focus moves into it on open
 * and back to the anchor on close.
 */
export class PopoverController implements ReactiveController {
  /** Which popover is open (an id chosen by the host), or null. */
  openId: string | null = null;
  #anchor: HTMLElement | undefined;
  #cleanup: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: PopoverOptions,
  ) {
    host.addController(this);
  }

  isOpen(id: string): boolean {
    return this.openId === id;
  }

  async toggle(id: string, anchor: HTMLElement): Promise<void> {
    if (this.openId === id) this.hide();
    else await this.show(id, anchor);
  }

  async show(id: string, anchor: HTMLElement): Promise<void> {
    if (this.openId) this.hide(false);
    this.openId = id;
    this.#anchor = anchor;
    const positioning = import('./position.js');
    this.host.requestUpdate();
    await this.host.updateComplete;
    const floating = this.options.floating();
    if (!floating || this.openId !== id) return;
    floating.style.visibility = 'hidden';
    if (floating.hasAttribute('popover') && !floating.matches(':popover-open'))
      floating.showPopover();
    const { followAnchor } = await positioning;
    if (this.openId !== id) return;
    this.#cleanup = followAnchor(anchor, floating, this.options.placement ?? 'bottom-start');
    document.addEventListener('keydown', this.#handleKeydown, true);
    document.addEventListener('pointerdown', this.#handlePointerdown, true);
    floating.focus({ preventScroll: true });
  }

  /** Closes the popover; focus returns to the anchor unless `returnFocus` is false. */
  hide(returnFocus = true): void {
    if (!this.openId) return;
    this.#teardown();
    this.openId = null;
    this.host.requestUpdate();
    if (returnFocus) this.#anchor?.focus();
  }

  hostDisconnected(): void {
    this.#teardown();
    this.openId = null;
  }

  #teardown(): void {
    this.#cleanup?.();
    this.#cleanup = undefined;
    document.removeEventListener('keydown', this.#handleKeydown, true);
    document.removeEventListener('pointerdown', this.#handlePointerdown, true);
  }

  #handleKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      this.hide();
    }
  };

  #handlePointerdown = (event: PointerEvent): void => {
    const path = event.composedPath();
    const floating = this.options.floating();
    if ((floating && path.includes(floating)) || (this.#anchor && path.includes(this.#anchor)))
      return;
    this.hide(false);
  };
}
