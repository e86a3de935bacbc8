// The emulator's dashboard: plain DOM, no framework, no build. Every value from the emulator
// (customer data above all) is untrusted and goes into the page as text, never as markup.

const ADMIN = '/__emulator';
const MAX_LOG_ROWS = 500;
const CUSTOMER_PAGE = 500;
const BASE_URL = `${location.origin}/api/v1`;

const $ = (id) => document.getElementById(id);

/** Create an element; `props` set properties (text, className, title…), children are nodes or text. */
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (name === 'text') element.textContent = String(value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'role' || name.startsWith('aria-')) element.setAttribute(name, String(value));
    else element[name] = value;
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const state = {
  customers: [],
  customerTotal: 0,
  search: '',
  openCustomer: undefined,
  /** Logged requests by id, kept to the newest MAX_LOG_ROWS. */
  requests: new Map(),
  requestTotal: 0,
  openRequest: undefined,
  errorsOnly: false,
  faults: [],
  rateLimit: null,
};

// ---- talking to the admin API ----------------------------------------------------------------

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(`${ADMIN}${path}`, init);
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const message = data?.error?.message ?? `${method} ${path} answered ${response.status}`;
    throw new Error(message);
  }
  return data;
}

function toast(message, kind = 'info') {
  const item = h('div', {
    className: `toast ${kind}`,
    text: message,
    role: kind === 'error' ? 'alert' : 'status',
  });
  $('toasts').append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 6000 : 2500);
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast(`${what} copied`);
  } catch {
    toast(`Copy failed: select the ${what.toLowerCase()} and copy it by hand`, 'error');
  }
}

// ---- formatting --------------------------------------------------------------------------------

const AVATAR_COLOURS = [
  '#4f46e5',
  '#0e7490',
  '#b45309',
  '#be185d',
  '#15803d',
  '#7c3aed',
  '#c2410c',
  '#1d4ed8',
];

function initials(name) {
  const words = String(name).trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((word) => Array.from(word)[0]?.toUpperCase() ?? '').join('') || '?';
}

function colourOf(text) {
  let hash = 0;
  for (const char of String(text)) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return AVATAR_COLOURS[hash % AVATAR_COLOURS.length];
}

function relativeTime(iso) {
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

function clockTime(iso) {
  const date = new Date(iso);
  const pad = (n, size = 2) => String(n).padStart(size, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function shortValue(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function statusClass(status) {
  if (status === null) return 'spending';
  if (status === 'dropped') return 'sdrop';
  if (status === 429) return 's429';
  return `s${String(status)[0]}`;
}

function faultLabel(fault) {
  if (fault.drop) return 'drop';
  if (fault.status !== undefined) return String(fault.status);
  return `+${fault.latencyMs} ms`;
}

function isError(entry) {
  return entry.status === 'dropped' || (typeof entry.status === 'number' && entry.status >= 400);
}

// ---- customers ---------------------------------------------------------------------------------

function customerRow(customer) {
  const key = `${customer.apiKey}\u0000${customer.externalId}`;
  const open = state.openCustomer === key;
  const metadata = Object.entries(customer.metadata ?? {});
  const chips = h(
    'div',
    { className: 'chips' },
    ...metadata
      .slice(0, 3)
      .map(([name, value]) =>
        h(
          'span',
          { className: 'chip', title: `${name}: ${JSON.stringify(value)}` },
          h('b', { text: `${name}: ` }),
          shortValue(value),
        ),
      ),
    metadata.length > 3 ? h('span', { className: 'chip', text: `+${metadata.length - 3}` }) : null,
  );
  const row = h(
    'tr',
    { className: `item${open ? ' open' : ''}`, dataset: { externalId: customer.externalId } },
    h(
      'td',
      {},
      h(
        'div',
        { className: 'person' },
        h('span', { className: 'avatar', text: initials(customer.name), 'aria-hidden': 'true' }),
        h(
          'div',
          {},
          h('div', { className: 'name', text: customer.name }),
          h('div', { className: 'email', text: customer.email }),
        ),
      ),
    ),
    h('td', { className: 'mono', text: customer.externalId }),
    h('td', {}, h('span', { className: 'key', text: customer.apiKey, title: 'API key (masked)' })),
    h('td', customer.phone ? { text: customer.phone } : { className: 'nothing', text: '—' }),
    h('td', {}, metadata.length > 0 ? chips : h('span', { className: 'nothing', text: '—' })),
    h('td', { className: 'right time', text: relativeTime(customer.updatedAt), title: customer.updatedAt }),
  );
  row.querySelector('.avatar').style.background = colourOf(customer.externalId);
  row.addEventListener('click', () => {
    state.openCustomer = open ? undefined : key;
    renderCustomers();
  });
  if (!open) return [row];
  const fields = { ...customer };
  delete fields.metadata;
  const details = h(
    'tr',
    { className: 'details' },
    h(
      'td',
      { colSpan: 6 },
      h(
        'div',
        { className: 'details-grid' },
        h('div', {}, h('h4', { text: 'Fields' }), h('pre', { text: JSON.stringify(fields, null, 2) })),
        h(
          'div',
          {},
          h('h4', { text: 'Metadata' }),
          h('pre', { text: JSON.stringify(customer.metadata ?? {}, null, 2) }),
        ),
      ),
    ),
  );
  return [row, details];
}

function renderCustomers() {
  const rows = state.customers.flatMap(customerRow);
  $('customer-rows').replaceChildren(...rows);
  $('customer-count').textContent = state.customerTotal.toLocaleString();
  const none = state.customers.length === 0;
  $('customer-table').hidden = none;
  $('customers-empty').hidden = !(none && state.search === '');
  $('customers-nomatch').hidden = !(none && state.search !== '');
  $('customers-nomatch').textContent = `No customer matches “${state.search}”.`;
  const hiddenCount = state.customerTotal - state.customers.length;
  $('customers-more').hidden = hiddenCount <= 0;
  $('customers-more').textContent =
    `Showing the ${state.customers.length.toLocaleString()} most recently updated of ${state.customerTotal.toLocaleString()}: search to narrow down.`;
}

let customersLoading;
let customersAgain = false;

/** Reload the customers; calls while one load runs coalesce into one more load after it. */
async function loadCustomers() {
  if (customersLoading) {
    customersAgain = true;
    return customersLoading;
  }
  customersLoading = (async () => {
    try {
      do {
        customersAgain = false;
        const query = new URLSearchParams({ limit: String(CUSTOMER_PAGE) });
        if (state.search) query.set('q', state.search);
        const data = await api('GET', `/customers?${query}`);
        state.customers = data.customers;
        state.customerTotal = data.total ?? data.customers.length;
        renderCustomers();
      } while (customersAgain);
    } finally {
      customersLoading = undefined;
    }
  })();
  return customersLoading;
}

// ---- request log -------------------------------------------------------------------------------

function addRequest(entry) {
  state.requests.delete(entry.id);
  state.requests.set(entry.id, entry);
  while (state.requests.size > MAX_LOG_ROWS) state.requests.delete(state.requests.keys().next().value);
}

function shapedBy(entry) {
  if (entry.rateLimited) return h('span', { className: 'shaped limit', text: 'rate limit' });
  if (entry.fault) {
    const fault = entry.fault;
    const parts = [fault.drop ? 'drop' : (fault.status ?? 'latency')];
    if (fault.latencyMs) parts.push(`+${fault.latencyMs} ms`);
    return h('span', { className: 'shaped fault', text: `fault ${parts.join(' ')}` });
  }
  return h('span', { className: 'nothing', text: '—' });
}

function requestRow(entry, fresh) {
  const open = state.openRequest === entry.id;
  const target =
    entry.externalId !== undefined
      ? h('div', { className: 'target', text: entry.externalId, title: entry.path })
      : h('div', { className: 'target path', text: entry.path.split('?')[0], title: entry.path });
  const status = entry.status === null ? '…' : entry.status;
  const row = h(
    'tr',
    { className: `item${open ? ' open' : ''}${fresh ? ' fresh' : ''}`, dataset: { id: String(entry.id) } },
    h('td', { className: 'time mono', text: clockTime(entry.receivedAt), title: entry.receivedAt }),
    h('td', { className: 'method', text: entry.method }),
    h('td', {}, target),
    h(
      'td',
      {},
      entry.apiKey
        ? h('span', { className: 'key', text: entry.apiKey })
        : h('span', { className: 'nothing', text: 'none' }),
    ),
    h('td', {}, h('span', { className: `status ${statusClass(entry.status)}`, text: status })),
    h('td', { className: 'right time', text: entry.durationMs === null ? '' : `${entry.durationMs} ms` }),
    h('td', {}, shapedBy(entry)),
  );
  row.addEventListener('click', () => {
    state.openRequest = open ? undefined : entry.id;
    renderRequests();
  });
  if (!open) return [row];
  const body =
    entry.body === undefined
      ? '(empty)'
      : typeof entry.body === 'string'
        ? entry.body
        : JSON.stringify(entry.body, null, 2);
  const details = h(
    'tr',
    { className: 'details' },
    h(
      'td',
      { colSpan: 7 },
      h(
        'div',
        { className: 'details-grid' },
        h(
          'div',
          {},
          h('h4', { text: 'Body' }),
          entry.bodyTruncated
            ? h('p', {
                className: 'note',
                text: entry.body === undefined ? 'Over 1 MB: not kept.' : 'Cut at 16 KB.',
              })
            : null,
          h('pre', { text: body }),
        ),
        h(
          'div',
          {},
          h('h4', { text: `${entry.method} ${entry.path}` }),
          h('pre', {
            text: Object.entries(entry.headers)
              .map(([name, value]) => `${name}: ${value}`)
              .join('\n'),
          }),
          entry.fault ? h('h4', { text: 'Injected fault' }) : null,
          entry.fault ? h('pre', { text: JSON.stringify(entry.fault, null, 2) }) : null,
        ),
      ),
    ),
  );
  return [row, details];
}

let freshIds = new Set();
let renderQueued = false;

/** Render the log at most once a frame, however many events arrive. */
function queueRenderRequests() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderRequests();
  });
}

function renderRequests() {
  const entries = [...state.requests.values()]
    .reverse()
    .filter((entry) => !state.errorsOnly || isError(entry));
  $('request-rows').replaceChildren(...entries.flatMap((entry) => requestRow(entry, freshIds.has(entry.id))));
  freshIds = new Set();
  $('request-count').textContent = state.requestTotal.toLocaleString();
  $('request-table').hidden = entries.length === 0;
  $('requests-empty').hidden = entries.length > 0;
  $('requests-empty').textContent =
    state.requests.size === 0
      ? 'Requests to the API show up here as they are answered.'
      : 'No failed request among the latest.';
}

async function loadRequests() {
  const data = await api('GET', '/requests');
  const incoming = data.requests.slice(-MAX_LOG_ROWS);
  // Events may have arrived while this loaded: keep an answer the list does not have yet, and
  // requests newer than the list.
  const previous = state.requests;
  state.requests = new Map();
  for (const entry of incoming) {
    const known = previous.get(entry.id);
    addRequest(known && known.status !== null && entry.status === null ? known : entry);
  }
  const newest = incoming.at(-1)?.id ?? 0;
  for (const [id, entry] of previous) if (id > newest) addRequest(entry);
  state.requestTotal = data.total ?? incoming.length;
  renderRequests();
}

/** After a reset, forget the log before reading it again, so nothing from before comes back. */
async function loadAfterReset() {
  state.requests = new Map();
  state.openRequest = undefined;
  state.openCustomer = undefined;
  await loadAll();
}

// ---- faults and rate limit ---------------------------------------------------------------------

function renderFaults() {
  const items = state.faults.map((fault) => {
    const parts = [];
    if (fault.latencyMs) parts.push(`${fault.latencyMs} ms`);
    if (fault.retryAfter !== undefined) parts.push(`Retry-After ${fault.retryAfter}`);
    parts.push(fault.externalId === undefined ? 'every customer' : `only ${fault.externalId}`);
    const badge = fault.drop ? 'sdrop' : fault.status === undefined ? 'spending' : statusClass(fault.status);
    return h(
      'li',
      {},
      h('span', { className: `status ${badge}`, text: faultLabel(fault) }),
      h('span', { text: parts.join(' · ') }),
      h('span', {
        className: 'left',
        text: fault.remaining === null ? 'until cleared' : `${fault.remaining} left`,
      }),
    );
  });
  $('fault-list').replaceChildren(...items);
  $('faults-none').hidden = items.length > 0;
  $('clear-faults').hidden = items.length === 0;
}

async function loadFaults() {
  state.faults = (await api('GET', '/faults')).faults;
  renderFaults();
}

function renderRateLimit() {
  const limit = state.rateLimit;
  $('rate-state').replaceChildren(
    ...(limit
      ? [
          h('strong', {
            text: `${limit.perSecond} request${limit.perSecond === 1 ? '' : 's'} per second per key, bursts of ${limit.burst}.`,
          }),
          ' Past it: 429 RATE_LIMITED with Retry-After.',
        ]
      : [h('strong', { text: 'Off.' }), ' Every request is let through.']),
  );
  $('rate-off').disabled = !limit;
}

async function loadRateLimit() {
  state.rateLimit = (await api('GET', '/rate-limit')).rateLimit;
  renderRateLimit();
}

// ---- live updates ------------------------------------------------------------------------------

function setLive(kind, text) {
  $('live').dataset.state = kind;
  $('live-text').textContent = text;
}

async function loadAll() {
  await Promise.all([loadCustomers(), loadRequests(), loadFaults(), loadRateLimit()]);
}

function connect() {
  const events = new EventSource(`${ADMIN}/events`);
  events.addEventListener('open', () => {
    setLive('live', 'Live');
    // Whatever happened while disconnected is read afresh; events from now on add to it.
    loadAll().catch((error) => toast(error.message, 'error'));
  });
  events.addEventListener('error', () => setLive('down', 'Reconnecting…'));
  events.addEventListener('request', (event) => {
    const entry = JSON.parse(event.data);
    if (!state.requests.has(entry.id)) state.requestTotal += 1;
    addRequest(entry);
    freshIds.add(entry.id);
    queueRenderRequests();
    if (entry.method === 'PATCH' && entry.status === 200) loadCustomers().catch(() => {});
    if (entry.fault) loadFaults().catch(() => {});
  });
  events.addEventListener('changed', (event) => {
    const { what } = JSON.parse(event.data);
    const reload = {
      customers: loadCustomers,
      faults: loadFaults,
      'rate-limit': loadRateLimit,
      reset: loadAfterReset,
    }[what];
    reload?.().catch((error) => toast(error.message, 'error'));
  });
}

// ---- controls ----------------------------------------------------------------------------------

function numberField(id) {
  const raw = $(id).value.trim();
  return raw === '' ? undefined : Number(raw);
}

function showFormError(id, message) {
  $(id).hidden = !message;
  $(id).textContent = message ?? '';
}

$('fault-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const choice = $('fault-status').value;
  const fault = {};
  if (choice === 'drop') fault.drop = true;
  else if (choice !== '') fault.status = Number(choice);
  const latencyMs = numberField('fault-latency');
  const times = numberField('fault-times');
  const retryAfter = numberField('fault-retry');
  const externalId = $('fault-customer').value;
  if (latencyMs !== undefined) fault.latencyMs = latencyMs;
  if (times !== undefined) fault.times = times;
  if (retryAfter !== undefined) fault.retryAfter = retryAfter;
  if (externalId !== '') fault.externalId = externalId;
  try {
    const data = await api('POST', '/faults', fault);
    state.faults = data.faults;
    renderFaults();
    showFormError('fault-error');
  } catch (error) {
    showFormError('fault-error', error.message);
  }
});

$('clear-faults').addEventListener('click', async () => {
  try {
    await api('DELETE', '/faults');
    state.faults = [];
    renderFaults();
  } catch (error) {
    toast(error.message, 'error');
  }
});

$('rate-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const limit = { perSecond: numberField('rate-per-second') };
  const burst = numberField('rate-burst');
  if (burst !== undefined) limit.burst = burst;
  try {
    state.rateLimit = (await api('PUT', '/rate-limit', limit)).rateLimit;
    renderRateLimit();
    showFormError('rate-error');
  } catch (error) {
    showFormError('rate-error', error.message);
  }
});

$('rate-off').addEventListener('click', async () => {
  try {
    await api('DELETE', '/rate-limit');
    state.rateLimit = null;
    renderRateLimit();
  } catch (error) {
    toast(error.message, 'error');
  }
});

let resetArmed;
$('reset').addEventListener('click', async () => {
  const button = $('reset');
  if (!resetArmed) {
    // Two clicks: a stray one must not wipe a morning's data.
    button.classList.add('confirming');
    button.textContent = 'Click again to reset';
    resetArmed = setTimeout(() => {
      resetArmed = undefined;
      button.classList.remove('confirming');
      button.textContent = 'Reset';
    }, 4000);
    return;
  }
  clearTimeout(resetArmed);
  resetArmed = undefined;
  button.classList.remove('confirming');
  button.textContent = 'Reset';
  try {
    await api('POST', '/reset');
    await loadAfterReset();
    toast('Customers, requests and faults cleared');
  } catch (error) {
    toast(error.message, 'error');
  }
});

$('import-file').addEventListener('change', async () => {
  const [file] = $('import-file').files;
  $('import-file').value = '';
  if (!file) return;
  try {
    const { restored } = await api('PUT', '/snapshot', await file.text());
    await loadCustomers();
    toast(`Restored ${restored.toLocaleString()} customer${restored === 1 ? '' : 's'} from ${file.name}`);
  } catch (error) {
    toast(`Import failed: ${error.message}`, 'error');
  }
});

let searchTimer;
$('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    state.search = $('search').value.trim();
    loadCustomers().catch((error) => toast(error.message, 'error'));
  }, 150);
});

$('errors-only').addEventListener('change', () => {
  state.errorsOnly = $('errors-only').checked;
  renderRequests();
});

const curl = [
  `curl -X PATCH ${BASE_URL}/customers/user_42 \\`,
  `  -H "X-API-Key: sk_test_local" \\`,
  `  -H "Content-Type: application/json" \\`,
  `  -d '{"email": "john@acme.com", "name": "John Doe", "metadata": {"plan": "pro"}}'`,
].join('\n');
$('curl').textContent = curl;
$('copy-curl').addEventListener('click', () => copy(curl, 'Command'));
$('base-url-text').textContent = BASE_URL;
$('base-url').addEventListener('click', () => copy(BASE_URL, 'Base URL'));

// Relative times ("2 min ago") age while the page stays open.
setInterval(() => {
  if (state.customers.length > 0) renderCustomers();
}, 30_000);

connect();
