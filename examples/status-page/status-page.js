// The demo company's own status page script: renders components and history from the Lifeboat
// server's status API (a real status page would render them from its own data). Text only,
// never innerHTML.
const site = 'demo';
const api = `/v1/sites/${site}`;

const STATUS_LABEL = {
  operational: 'Operational',
  under_maintenance: 'Under maintenance',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};

const IMPACT_LABEL = { none: 'No impact', minor: 'Minor', major: 'Major', critical: 'Critical' };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function renderComponents(status) {
  const root = document.getElementById('component-list');
  const groups = new Map();
  for (const component of status.components) {
    const group = component.group ?? '';
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(component);
  }
  const lists = [];
  for (const [group, components] of groups) {
    const list = el('ul', { class: 'components' });
    for (const component of components) {
      list.append(
        el(
          'li',
          { class: 'component', 'data-status': component.status },
          el('span', { class: 'component__name' }, component.name),
          el(
            'span',
            { class: 'component__status' },
            el('span', { class: 'dot', 'aria-hidden': 'true' }),
            STATUS_LABEL[component.status] ?? component.status,
          ),
        ),
      );
    }
    lists.push(group ? el('div', { class: 'group' }, el('h3', {}, group), list) : list);
  }
  root.replaceChildren(...lists);
  root.removeAttribute('aria-busy');
}

function renderHistory(incidents) {
  const root = document.getElementById('incident-history');
  const items = incidents.map((incident) =>
    el(
      'li',
      { class: 'history__item', 'data-impact': incident.impact },
      el(
        'div',
        { class: 'history__head' },
        el('h3', {}, incident.title),
        el('span', { class: 'pill' }, incident.resolvedAt ? 'Resolved' : 'Ongoing'),
      ),
      el(
        'p',
        { class: 'muted' },
        `${IMPACT_LABEL[incident.impact] ?? incident.impact} impact · ${dateFormat.format(new Date(incident.startedAt))}`,
      ),
      ...(incident.updates[0] ? [el('p', {}, incident.updates[0].body)] : []),
    ),
  );
  root.replaceChildren(
    ...(items.length ? items : [el('li', { class: 'muted' }, 'No incidents reported.')]),
  );
  document.getElementById('history').hidden = false;
  root.removeAttribute('aria-busy');
}

async function load() {
  try {
    const [status, history] = await Promise.all([
      fetch(`${api}/status`).then((r) => r.json()),
      fetch(`${api}/incidents?state=all`).then((r) => r.json()),
    ]);
    renderComponents(status);
    renderHistory(history.incidents);
  } catch {
    document
      .getElementById('component-list')
      .replaceChildren(el('p', { class: 'muted' }, 'Component status is unavailable right now.'));
  }
}

// Keep the page's own sections in step with the banner's live status.
document.addEventListener('lifeboat-status-change', () => void load());
void load();
