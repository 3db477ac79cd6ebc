// Administration › Workspace › User Status: the custom statuses (search, create, edit, delete)
// and the Presence service panel (switch, connections, why it is off, workspace settings).

import {ApiError, reasonText, slack} from './api.js';
import {h, field, replace, setFieldError} from './dom.js';
import {store} from './store.js';

const presenceChoices = [['online', 'Online'], ['away', 'Away'], ['busy', 'Busy'], ['offline', 'Offline']];

function breadcrumbs(...parts) {
  return h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'},
    h('ol', {}, parts.map(([label, href]) => h('li', {}, href ? h('a', {href}, label) : h('span', {'aria-current': 'page'}, label)))));
}

export function renderAdmin({view}) {
  replace(view, h('section', {class: 'admin'},
    h('h1', {}, 'Administration'),
    h('section', {class: 'card', 'aria-labelledby': 'workspace-heading'},
      h('h2', {id: 'workspace-heading'}, 'Workspace'),
      h('ul', {class: 'links'}, h('li', {}, h('a', {href: '#/admin/user-status'}, 'User Status'),
        h('span', {class: 'hint'}, ' — custom statuses and the presence service')))),
  ));
}

export function renderUserStatus(context, panelName) {
  const {view} = context;
  const search = h('input', {type: 'search', id: 'status-search', autocomplete: 'off'});
  const tbody = h('tbody');
  const table = h('table', {class: 'statuses'},
    h('caption', {}, 'Custom statuses'),
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Name'), h('th', {scope: 'col'}, 'Presence'))),
    tbody);
  const listError = h('p', {class: 'form-error', role: 'status'});
  const panel = h('div', {class: 'side'});
  const page = h('section', {class: 'user-status'},
    breadcrumbs(['Administration', '#/admin'], ['Workspace', '#/admin'], ['User Status']),
    h('div', {class: 'title-row'},
      h('h1', {}, 'User Status'),
      h('div', {class: 'actions'},
        h('button', {type: 'button', onclick: () => openService()}, 'Presence service'),
        h('button', {type: 'button', class: 'primary', onclick: () => openForm(null)}, 'New custom status'))),
    h('div', {class: 'columns'},
      h('div', {class: 'main-column'},
        h('div', {class: 'field inline'}, h('label', {for: 'status-search'}, 'Search'), search),
        listError, table),
      panel));
  replace(view, page);

  let statuses = [];
  let stopPanel = null;

  function renderRows() {
    const needle = search.value.trim().toLowerCase();
    const rows = statuses.filter((s) => s.name.toLowerCase().includes(needle));
    replace(tbody, rows.length ? rows.map((s) => {
      const open = () => openForm(s);
      return h('tr', {class: 'clickable', onclick: open},
        h('td', {}, h('button', {type: 'button', class: 'link', onclick: (e) => { e.stopPropagation(); open(); }}, s.name)),
        h('td', {}, h('span', {class: `dot ${s.presence}`, 'aria-hidden': 'true'}), ` ${label(s.presence)}`));
    }) : h('tr', {}, h('td', {colspan: '2', class: 'empty'}, needle ? 'No custom status matches.' : 'No custom status yet.')));
  }

  async function load() {
    try {
      const answer = await slack('admin.presets.list');
      statuses = answer.presets.slice().sort((a, b) => a.name.localeCompare(b.name));
      listError.textContent = '';
    } catch (error) {
      listError.textContent = `Could not list custom statuses: ${error.code ?? error.message}`;
    }
    renderRows();
  }

  function closePanel() {
    if (stopPanel) stopPanel();
    stopPanel = null;
    replace(panel);
    panel.classList.remove('open');
  }

  /** Shows `content` in the side panel (call closePanel() before building it). */
  function showPanel(title, ...content) {
    const heading = h('h2', {tabindex: '-1'}, title);
    const aside = h('aside', {class: 'card', 'aria-label': title},
      h('div', {class: 'title-row'}, heading, h('button', {type: 'button', class: 'ghost', onclick: closePanel}, 'Close')),
      ...content);
    replace(panel, aside);
    panel.classList.add('open');
    heading.focus();
    return aside;
  }

  function openForm(status) {
    closePanel();
    const name = field('Name', h('input', {type: 'text', value: status?.name ?? '', autocomplete: 'off'}));
    const presence = field('Presence', h('select', {}, presenceChoices.map(([value, text]) =>
      h('option', {value, selected: value === (status?.presence ?? 'online')}, text))));
    const formError = h('p', {class: 'form-error', role: 'status'});
    const confirm = h('div', {class: 'confirm', hidden: true},
      h('p', {}, `Delete "${status?.name ?? ''}"? Users who show it keep their status text.`),
      h('button', {type: 'button', class: 'danger', onclick: remove}, 'Yes, delete'),
      h('button', {type: 'button', onclick: () => { confirm.hidden = true; }}, 'Cancel'));
    const form = h('form', {}, name.wrap, presence.wrap, formError,
      h('div', {class: 'actions'},
        status ? h('button', {type: 'button', class: 'danger', onclick: () => { confirm.hidden = false; confirm.querySelector('button').focus(); }}, 'Delete') : null,
        h('button', {type: 'submit', class: 'primary'}, 'Save')),
      confirm);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      setFieldError(name, '');
      setFieldError(presence, '');
      formError.textContent = '';
      const params = {name: name.input.value, presence: presence.input.value};
      try {
        if (status) await slack('admin.presets.update', {id: status.id, ...params});
        else await slack('admin.presets.create', params);
        closePanel();
        await load();
      } catch (error) {
        if (!(error instanceof ApiError)) formError.textContent = `Not saved: ${error.message}`;
        else if (error.code === 'invalid_preset' || error.code === 'invalid_arguments') setFieldError(name, error.detail || error.code);
        else if (error.code === 'invalid_presence') setFieldError(presence, error.detail || error.code);
        else formError.textContent = `Not saved: ${error.detail || error.code}`;
      }
    });
    async function remove() {
      try {
        await slack('admin.presets.delete', {id: status.id});
        closePanel();
        await load();
      } catch (error) {
        formError.textContent = `Not deleted: ${error.detail || error.code || error.message}`;
      }
    }
    showPanel(status ? 'Edit custom status' : 'New custom status', form);
    name.input.focus();
  }

  function openService() {
    closePanel();
    showPanel('Presence service', ...servicePanel(context, (stop) => { stopPanel = stop; }));
  }

  search.addEventListener('input', renderRows);
  load();
  if (panelName === 'presence-service') openService();
  return () => closePanel();
}

function label(presence) {
  return presenceChoices.find(([value]) => value === presence)?.[1] ?? presence;
}

// The settings the panel edits: key, label, input.
const settingFields = [
  ['connection_limit', 'Connection limit', {type: 'number', min: '0', step: '1'}],
  ['auto_reenable_below', 'Re-enable below (connections, 0 = manual)', {type: 'number', min: '0', step: '1'}],
  ['degraded_mode', 'Degraded mode', null],
  ['idle_timeout', 'Default idle time limit (seconds)', {type: 'number', min: '1', step: '1'}],
];

function servicePanel({refreshService}, onStop) {
  const switchLabel = h('span', {id: 'service-switch-label'}, 'Service status');
  const toggle = h('button', {type: 'button', role: 'switch', class: 'switch', 'aria-labelledby': 'service-switch-label'},
    h('span', {class: 'knob', 'aria-hidden': 'true'}));
  const state = h('span', {class: 'switch-state'});
  const connections = h('p', {class: 'connections'});
  const meter = h('meter', {min: '0', max: '1', value: '0', 'aria-label': 'Connections'});
  const reason = h('p', {class: 'reason'});
  const switchError = h('p', {class: 'form-error', role: 'status'});

  const fields = {};
  for (const [key, text, attrs] of settingFields) {
    const input = attrs ? h('input', attrs)
                        : h('select', {}, h('option', {value: 'off'}, 'Off'), h('option', {value: 'query_only'}, 'Query only'));
    fields[key] = field(text, input);
  }
  const saved = h('p', {class: 'saved', role: 'status'});
  const settingsForm = h('form', {class: 'settings'},
    h('h3', {}, 'Workspace settings'),
    Object.values(fields).map((f) => f.wrap), saved,
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Save settings')));

  function render(service) {
    toggle.setAttribute('aria-checked', String(service.enabled));
    state.textContent = service.enabled ? 'On' : 'Off';
    const limit = service.limit ?? 0;
    const current = service.connections ?? 0;
    connections.textContent = `Connections: ${current} / ${limit === 0 ? '∞' : limit}`;
    meter.max = limit || Math.max(1, current);
    meter.value = current;
    reason.textContent = service.enabled ? '' : `Presence is off: ${reasonText(service.reason)}.`;
  }

  toggle.addEventListener('click', async () => {
    switchError.textContent = '';
    const turnOn = !store.service.enabled;
    try {
      await slack(turnOn ? 'admin.presence.enable' : 'admin.presence.disable');
      store.setService(turnOn ? {enabled: true, reason: ''} : {enabled: false, reason: 'admin'});
    } catch (error) {
      switchError.textContent = error.code === 'connection_limit_exceeded'
        ? `Refused: the workspace is still at its connection limit (connection_limit_exceeded).`
        : `Refused: ${error.detail || error.code || error.message}`;
    }
    await refreshService();
  });

  async function loadSettings() {
    try {
      const {settings} = await slack('admin.settings.get');
      for (const [key, f] of Object.entries(fields)) f.input.value = String(settings[key] ?? '');
    } catch (error) {
      saved.textContent = `Could not read the settings: ${error.code ?? error.message}`;
    }
  }

  settingsForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    saved.textContent = '';
    for (const f of Object.values(fields)) setFieldError(f, '');
    const settings = {};
    for (const [key, f] of Object.entries(fields)) settings[key] = f.input.value;
    try {
      await slack('admin.settings.set', {settings});
      saved.textContent = 'Saved.';
      await refreshService();
    } catch (error) {
      const key = Object.keys(fields).find((k) => (error.detail ?? '').includes(k));
      if (key) setFieldError(fields[key], error.detail);
      else saved.textContent = `Not saved: ${error.detail || error.code}`;
    }
  });

  const stop = store.onService(render);
  const timer = setInterval(refreshService, 5000);
  onStop(() => { stop(); clearInterval(timer); });
  loadSettings();
  refreshService();
  return [
    h('div', {class: 'switch-row'}, switchLabel, toggle, state),
    switchError, connections, meter, reason, settingsForm,
  ];
}
