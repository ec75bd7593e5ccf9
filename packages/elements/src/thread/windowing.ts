import { noChange, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

/** A row to render: its position in the whole list and the room left for unrendered rows before it. */
export interface WindowRow<T> {
  item: T;
  index: number;
  /** Height (px) of the unrendered rows between the previous rendered row and this one. */
  gap: number;
}

export interface WindowSlice<T> {
  rows: WindowRow<T>[];
  /** Height (px) of the unrendered rows after the last rendered one. */
  after: number;
  /** True when some rows are not rendered. */
  windowed: boolean;
}

export interface ThreadWindowOptions {
  /** The scrolled list (`<ol>`), whose direct children are the rows (`data-key`). */
  list(): HTMLElement | null;
  /** Lists up to this many rows render every row (find-in-page sees all of them). */
  threshold?: number;
  /** Extra room rendered above and below the viewport, in px. */
  overscan?: number;
  /** Height assumed for a row never rendered, until some rows are measured. */
  estimate?: number;
  /** Resolves when the rows' own elements have rendered (their height is then final). */
  rowsRendered?: () => Promise<unknown>;
}

type Host = ReactiveControllerHost & HTMLElement;

/**
 * Windowed rendering of a long list of variable-height rows (docs/decisions/0012): only the rows
 * near the viewport are in the DOM; the rows around them are stood in for by their measured (or
 * estimated) height as padding of the list, so the scrollbar and the page keep their size. Rows
 * are measured with a ResizeObserver as they render and remembered by key. The viewport is the
 * window (the list scrolls with the page, or inside any scrolling ancestor, which only makes the
 * window a little larger than needed). Rows holding focus, or asked for with `reveal`, stay
 * rendered wherever the reader scrolls.
 */
export class ThreadWindowController implements ReactiveController {
  readonly #host: Host;
  readonly #options: Required<ThreadWindowOptions>;
  readonly #heights = new Map<string, number>();
  #measuredTotal = 0;
  #estimated: number | null = null;
  /** Rendered range [start, end) of the last slice, and how many rows it had. */
  #start = 0;
  #end = 0;
  #count = 0;
  /** Keys kept rendered outside the range: the focused row, a revealed row. */
  #focused: string | null = null;
  #revealed: string | null = null;
  #keys: readonly string[] = [];
  #offsets: Float64Array | null = null;
  #frame = 0;
  #observer: ResizeObserver | undefined;
  #observed = new Set<Element>();
  #width = 0;
  /** The order of rows changed in this update (a new post, another sort): no anchoring. */
  #reordered = false;
  /** The row the reader sees, and where it was, before this update. */
  #anchor: { row: HTMLElement; top: number } | null = null;

  constructor(host: Host, options: ThreadWindowOptions) {
    this.#host = host;
    this.#options = {
      threshold: 50,
      overscan: 900,
      estimate: 180,
      rowsRendered: () => Promise.resolve(),
      ...options,
    };
    host.addController(this);
  }

  hostConnected(): void {
    this.#observer = new ResizeObserver((entries) => this.#handleResize(entries));
    document.addEventListener('scroll', this.#schedule, { capture: true, passive: true });
    window.addEventListener('resize', this.#schedule, { passive: true });
    this.#host.addEventListener('focusin', this.#handleFocus);
    this.#host.addEventListener('focusout', this.#handleBlur);
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#observed.clear();
    document.removeEventListener('scroll', this.#schedule, { capture: true });
    window.removeEventListener('resize', this.#schedule);
    this.#host.removeEventListener('focusin', this.#handleFocus);
    this.#host.removeEventListener('focusout', this.#handleBlur);
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  hostUpdate(): void {
    this.#anchor = null;
    this.#reordered = false;
    if (this.#count <= this.#options.threshold) return;
    const list = this.#options.list();
    if (!list) return;
    for (const row of list.children as HTMLCollectionOf<HTMLElement>) {
      const { top, bottom } = row.getBoundingClientRect();
      if (bottom > 0 && top < innerHeight) {
        this.#anchor = { row, top };
        return;
      }
    }
  }

  hostUpdated(): void {
    const list = this.#options.list();
    if (!list || !this.#observer) return;
    if (this.#anchor && !this.#reordered) {
      const anchor = this.#anchor;
      // After the rows' elements rendered (microtasks, before the frame is painted).
      void this.#options.rowsRendered().then(() => this.#keepAnchor(anchor));
    }
    this.#anchor = null;
    const live = new Set<Element>();
    for (const row of list.children) {
      if (!(row as HTMLElement).dataset.key) continue;
      live.add(row);
      if (!this.#observed.has(row)) {
        this.#observer.observe(row);
        this.#observed.add(row);
      }
    }
    for (const row of this.#observed) {
      if (!live.has(row)) {
        this.#observer.unobserve(row);
        this.#observed.delete(row);
      }
    }
    // The range was chosen before the list had a place on the page: check it once laid out.
    if (this.#count > this.#options.threshold) this.#schedule();
  }

  /** The rows to render now, for the whole list in order. */
  slice<T>(items: readonly T[], keyOf: (item: T) => string): WindowSlice<T> {
    const keys = items.map(keyOf);
    if (!sameKeys(keys, this.#keys)) {
      this.#keys = keys;
      this.#offsets = null;
      this.#reordered = true;
    }
    const n = items.length;
    this.#count = n;
    if (n <= this.#options.threshold) {
      this.#start = 0;
      this.#end = n;
      return {
        rows: items.map((item, index) => ({ item, index, gap: 0 })),
        after: 0,
        windowed: false,
      };
    }
    if (this.#end === 0 || this.#start >= n) {
      // First render: what fits in the viewport and the overscan below it, by the estimate.
      this.#start = 0;
      this.#end = Math.ceil((innerHeight + this.#options.overscan) / this.#estimate());
    }
    const start = Math.min(this.#start, n);
    const end = Math.min(Math.max(this.#end, start + 1), n);
    const extra = [this.#focused, this.#revealed]
      .map((key) => (key === null ? -1 : keys.indexOf(key)))
      .filter((i) => i >= 0 && (i < start || i >= end));
    const indexes = [...new Set(extra)].sort((a, b) => a - b);
    const order = [
      ...indexes.filter((i) => i < start),
      ...Array.from({ length: end - start }, (_, k) => start + k),
      ...indexes.filter((i) => i >= end),
    ];
    const offsets = this.#offsetsFor();
    const rows: WindowRow<T>[] = [];
    let next = 0;
    for (const index of order) {
      rows.push({ item: items[index]!, index, gap: offsets[index]! - offsets[next]! });
      next = index + 1;
    }
    return { rows, after: offsets[n]! - offsets[next]!, windowed: true };
  }

  /** Keeps the row of `key` rendered (until the reader focuses elsewhere) and renders it now. */
  reveal(key: string): void {
    this.#revealed = key;
    this.#host.requestUpdate();
  }

  /**
   * Scroll anchoring of our own: rows rendered above the reader's row can be taller or shorter
   * than the room estimated for them, which would move what the reader sees. The browser's
   * anchoring is off for a windowed list (`overflow-anchor: none`: it measured the rows before
   * their own elements had rendered and left shifts of tens of pixels), so once the rows have
   * rendered the scroller is moved by the difference, before the frame is painted.
   */
  #keepAnchor(anchor: { row: HTMLElement; top: number }): void {
    if (!anchor.row.isConnected) return;
    const delta = anchor.row.getBoundingClientRect().top - anchor.top;
    if (Math.abs(delta) < 0.5) return;
    const scroller = scrollerOf(anchor.row);
    scroller.scrollTop += delta;
  }

  /** The list scrolled, resized, or rows changed height: choose the range again in the next frame. */
  #schedule = (): void => {
    if (this.#frame || this.#count <= this.#options.threshold) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#choose();
    });
  };

  #choose(): void {
    const list = this.#options.list();
    if (!list) return;
    const n = this.#keys.length;
    const offsets = this.#offsetsFor();
    const { overscan } = this.#options;
    const top = list.getBoundingClientRect().top + list.clientTop;
    // The part of the list in the viewport, in list coordinates.
    const from = -top;
    const to = innerHeight - top;
    // Still covered with at least half the overscan on both sides: keep the DOM as it is.
    const renderedFrom = offsets[this.#start]!;
    const renderedTo = offsets[Math.min(this.#end, n)]!;
    const coveredAbove = this.#start === 0 || renderedFrom <= from - overscan / 2;
    const coveredBelow = this.#end >= n || renderedTo >= to + overscan / 2;
    if (coveredAbove && coveredBelow) return;
    const start = Math.max(0, upperBound(offsets, from - overscan) - 1);
    const end = Math.min(n, Math.max(start + 1, upperBound(offsets, to + overscan)));
    if (start === this.#start && end === this.#end) return;
    this.#start = start;
    this.#end = end;
    this.#host.requestUpdate();
  }

  #handleResize(entries: ResizeObserverEntry[]): void {
    let changed = false;
    for (const entry of entries) {
      const row = entry.target as HTMLElement;
      const key = row.dataset.key;
      if (!key || !row.isConnected) continue;
      const height = entry.borderBoxSize?.[0]?.blockSize ?? row.getBoundingClientRect().height;
      const old = this.#heights.get(key);
      if (old === height) continue;
      this.#heights.set(key, height);
      this.#measuredTotal += height - (old ?? 0);
      changed = true;
    }
    const list = this.#options.list();
    const width = list?.clientWidth ?? 0;
    if (width && this.#width && width !== this.#width) {
      // Another width wraps text differently: heights of rows not on screen are stale.
      this.#estimated = null;
      const shown = new Set([...this.#observed].map((r) => (r as HTMLElement).dataset.key));
      for (const [key, height] of this.#heights) {
        if (!shown.has(key)) {
          this.#heights.delete(key);
          this.#measuredTotal -= height;
        }
      }
    }
    this.#width = width;
    if (changed) {
      this.#offsets = null;
      if (this.#count > this.#options.threshold) this.#host.requestUpdate();
      this.#schedule();
    }
  }

  #handleFocus = (event: FocusEvent): void => {
    const row = rowOf(event.composedPath());
    this.#focused = row?.dataset.key ?? null;
    if (this.#revealed !== this.#focused) this.#revealed = null;
  };

  #handleBlur = (event: FocusEvent): void => {
    if (!event.relatedTarget) return; // Focus left the page: keep the row for when it returns.
    const next = event.relatedTarget as Node;
    if (!this.#host.contains(next) && !this.#host.shadowRoot?.contains(next)) this.#focused = null;
  };

  /**
   * The height assumed for rows never rendered: the average of the first rows measured, then
   * kept. A running average would move every unrendered row above the reader at each
   * measurement (thousands of pixels in a long thread) for nothing.
   */
  #estimate(): number {
    if (this.#estimated === null && this.#heights.size)
      this.#estimated = this.#measuredTotal / this.#heights.size;
    return this.#estimated ?? this.#options.estimate;
  }

  /** Prefix sums of row heights: offsets[i] is where row i starts, offsets[n] the total. */
  #offsetsFor(): Float64Array {
    if (this.#offsets) return this.#offsets;
    const keys = this.#keys;
    const estimate = this.#estimate();
    const offsets = new Float64Array(keys.length + 1);
    for (let i = 0; i < keys.length; i++)
      offsets[i + 1] = offsets[i]! + (this.#heights.get(keys[i]!) ?? estimate);
    this.#offsets = offsets;
    return offsets;
  }
}

/** The nearest ancestor that scrolls vertically (across shadow roots), else the document's. */
function scrollerOf(node: Element): Element {
  let el: Element | null = node;
  while (el) {
    const parent: Element | null =
      el.parentElement ?? ((el.getRootNode() as ShadowRoot).host as Element | undefined) ?? null;
    if (!parent || parent === document.documentElement || parent === document.body) break;
    const { overflowY } = getComputedStyle(parent);
    if (
      (overflowY === 'auto' || overflowY === 'scroll') &&
      parent.scrollHeight > parent.clientHeight
    )
      return parent;
    el = parent;
  }
  return document.scrollingElement ?? document.documentElement;
}

function rowOf(path: EventTarget[]): HTMLElement | undefined {
  return path.find(
    (node): node is HTMLElement => node instanceof HTMLElement && node.dataset.key !== undefined,
  );
}

/** First index whose value is greater than `value` (offsets are sorted). */
function upperBound(offsets: Float64Array, value: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Sets a row's margins (the room of the unrendered rows around it) through the CSSOM. Never a
 * `style` attribute: a page whose CSP has no `'unsafe-inline'` for styles blocks those (Lit's
 * `styleMap` writes the attribute on first render).
 */
class RowSpacingDirective extends Directive {
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('rowSpacing() is an element directive');
  }

  render(_before: number, _after: number): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [before, after]: [number, number]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const [name, px] of [
      ['margin-block-start', before],
      ['margin-block-end', after],
    ] as const) {
      if (px) style.setProperty(name, `${px}px`);
      else style.removeProperty(name);
    }
    return noChange;
  }
}

/** `<li ${rowSpacing(before, after)}>`: CSP-safe margins for a windowed row. */
export const rowSpacing = directive(RowSpacingDirective);
