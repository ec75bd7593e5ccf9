import type { ReactiveController, ReactiveControllerHost } from 'lit';

export type Scheme = 'light' | 'dark';

/** Attributes a host page's theme switch commonly sets on `<html>` or `<body>`. */
export const THEME_ATTRIBUTES = [
  'data-theme',
  'data-color-scheme',
  'data-bs-theme',
  'data-mode',
] as const;
/** Classes a host page's theme switch commonly sets on `<html>` or `<body>`. */
export const DARK_CLASSES = ['dark', 'theme-dark', 'dark-mode'] as const;
export const LIGHT_CLASSES = ['light', 'theme-light', 'light-mode'] as const;

/** An element that can be told the host page's scheme (the base class). */
export interface HostThemeTarget extends ReactiveControllerHost, HTMLElement {
  hostSchemeChanged(scheme: Scheme | null): void;
}

function explicitScheme(element: Element | null): Scheme | null {
  if (!element) return null;
  for (const name of THEME_ATTRIBUTES) {
    const value = element.getAttribute(name)?.trim().toLowerCase();
    if (value === 'dark' || value === 'light') return value;
  }
  const classes = element.classList;
  if (DARK_CLASSES.some((c) => classes.contains(c))) return 'dark';
  if (LIGHT_CLASSES.some((c) => classes.contains(c))) return 'light';
  return null;
}

/** `color-scheme: dark` (or `only dark`) decides; `light dark`, `normal` leave it to the OS. */
function computedScheme(element: Element | null): Scheme | null {
  if (!element) return null;
  const words = getComputedStyle(element)
    .colorScheme.split(/\s+/)
    .filter((w) => w && w !== 'only');
  if (words.length !== 1) return null;
  return words[0] === 'dark' || words[0] === 'light' ? words[0] : null;
}

/**
 * The host page's own scheme, or null when the page leaves it to the OS:
 * 1. an explicit convention on `<html>` or `<body>` (`<body>` wins, as it is nearer);
 * 2. else the computed `color-scheme` where the element sits, when it names one scheme.
 */
export function resolveHostScheme(element: Element): Scheme | null {
  const explicit = explicitScheme(document.body) ?? explicitScheme(document.documentElement);
  if (explicit) return explicit;
  const root = element.getRootNode();
  const parent =
    element.parentElement ?? (root instanceof ShadowRoot ? root.host : document.documentElement);
  return computedScheme(parent);
}

const targets = new Set<HostThemeTarget>();
let observer: MutationObserver | undefined;
let observedBody: HTMLElement | null = null;
let scheduled = false;

function notifyAll(): void {
  scheduled = false;
  observeBody();
  // A host page usually themes everything at once: most targets share a parent scheme, but
  // each may sit under a different `color-scheme`, so each resolves (no layout, style only).
  for (const target of targets) target.hostSchemeChanged(resolveHostScheme(target));
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(notifyAll);
}

const OPTIONS: MutationObserverInit = {
  attributes: true,
  attributeFilter: ['class', 'style', ...THEME_ATTRIBUTES],
};

function observeBody(): void {
  if (!observer || !document.body || document.body === observedBody) return;
  observedBody = document.body;
  observer.observe(document.body, OPTIONS);
}

let media: MediaQueryList | undefined;

function start(): void {
  observer = new MutationObserver(schedule);
  observer.observe(document.documentElement, {
    ...OPTIONS,
    // <body> may be created (or replaced) after the first element connects.
    childList: true,
  });
  observeBody();
  media = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
  media?.addEventListener('change', schedule);
}

function stop(): void {
  observer?.disconnect();
  observer = undefined;
  observedBody = null;
  media?.removeEventListener('change', schedule);
  media = undefined;
}

/**
 * Tells its element the host page's scheme while connected, live. One MutationObserver on
 * `<html>` and `<body>` and one media query listener serve every connected element; changes
 * are batched into one pass per microtask.
 */
export class HostThemeController implements ReactiveController {
  constructor(private readonly host: HostThemeTarget) {
    host.addController(this);
  }

  hostConnected(): void {
    if (typeof document === 'undefined' || typeof MutationObserver === 'undefined') return;
    if (targets.size === 0) start();
    targets.add(this.host);
    this.host.hostSchemeChanged(resolveHostScheme(this.host));
  }

  hostDisconnected(): void {
    targets.delete(this.host);
    if (targets.size === 0) stop();
  }
}
