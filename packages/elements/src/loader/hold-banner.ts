/**
 * The banner's place, held by the loader before the first frame (ADR 0014, ADR 0032). With
 * `blocking="render"` on the script tag the loader runs before the page paints, but the banner's
 * chunk arrives later; so the loader gives each banner not yet defined the height the banner
 * itself picks before a first paint (`#pickReserve` in banner/banner.ts): the incident height
 * when `expect="incident"` or the visitor's last visit (same site, same width class) showed an
 * incident, that visit's measured height when known, else the compact line. Once upgraded after
 * the paint, the banner keeps the height it was given (as with a page's placeholder rule), and
 * the loader's inline style goes after the banner's first render. Inline styles set through the
 * CSSOM are allowed under a strict CSP. A banner the last visit says to expect an incident gets
 * `expect="incident"`, as a page that knew would have written.
 */
import { BannerPreferences } from '../banner/preferences.js';

/** The banner's narrow width class (NARROW in banner/banner.ts). */
const NARROW = 480;

export function holdBanner(el: HTMLElement, server: string, site: string | undefined): void {
  if (customElements.get(el.localName) || el.style.minHeight) return;
  const statusUrl = el.getAttribute('status-url');
  const namespace = statusUrl
    ? `lifeboat:banner:${statusUrl}`
    : `lifeboat:banner:${(el.getAttribute('server') || server).replace(/\/+$/, '')}:${el.getAttribute('site') || site || ''}`;
  const width = el.getBoundingClientRect().width || el.parentElement?.clientWidth || 0;
  const bucket = width > 0 && width < NARROW ? 'narrow' : 'wide';
  const last = new BannerPreferences(namespace).last(bucket);
  const expect = el.getAttribute('expect');
  const full = expect ? expect === 'incident' : Boolean(last?.incident);
  // What the last visit says is what the page would have said: its own rules for a banner that
  // expects an incident (a placeholder, sections shown beside it) apply before the upgrade too.
  if (!expect && full) el.setAttribute('expect', 'incident');
  const height = !full
    ? 'var(--lifeboat-banner-min-height, 3.75rem)'
    : last?.incident && last.height
      ? `${last.height}px`
      : `var(--lifeboat-banner-incident-height, ${bucket === 'narrow' ? 30 : 25}rem)`;
  const inline = getComputedStyle(el).display === 'inline';
  el.style.minHeight = height;
  if (inline) el.style.display = 'block';
  void customElements
    .whenDefined(el.localName)
    .then(() => (el as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete)
    .then(() => {
      el.style.removeProperty('min-height');
      if (inline) el.style.removeProperty('display');
    });
}
