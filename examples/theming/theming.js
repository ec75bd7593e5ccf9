// The host page's own light/dark switch, as a site would have one: it sets data-theme on <html>
// (and remembers it). Lifeboat's components in theme="auto" follow it live; see docs/theming.md.
const KEY = 'theming-example:scheme';
const ORDER = ['system', 'light', 'dark'];
const LABELS = { system: 'System', light: 'Light', dark: 'Dark' };
const button = document.getElementById('scheme-switch');

function apply(scheme) {
  if (scheme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = scheme;
  button.textContent = `Theme: ${LABELS[scheme]}`;
  try {
    localStorage.setItem(KEY, scheme);
  } catch {
    // Storage blocked: the switch still works for this visit.
  }
}

let current = 'system';
try {
  const saved = new URLSearchParams(location.search).get('scheme') ?? localStorage.getItem(KEY);
  if (ORDER.includes(saved)) current = saved;
} catch {
  // Storage blocked.
}
apply(current);
button.addEventListener('click', () => {
  current = ORDER[(ORDER.indexOf(current) + 1) % ORDER.length];
  apply(current);
});

// One token themes the brand preset: set it on the preset's container.
const brand = document.getElementById('brand');
const picker = document.getElementById('brand-color');
const setBrand = () => brand.style.setProperty('--lifeboat-brand', picker.value);
picker.addEventListener('input', setBrand);
setBrand();
