// Activities: the list (query, status filters, paging, live statuses), one activity (its fields,
// parameters, result, live output, timeline; a group's children), and the actions on them.

import { api, follow, params as query } from './api.js';
import {
  announce,
  confirmDialog,
  errorBox,
  field,
  h,
  replace,
  showError,
  status,
  time,
  unique,
} from './dom.js';

export const STATUSES = [
  'queued',
  'scheduled',
  'waiting',
  'blocked',
  'in-progress',
  'failed',
  'canceled',
  'succeeded',
];
const FINAL = new Set(['failed', 'canceled', 'succeeded']);
const PAGE = 50;

const ACTIONS = [
  {
    name: 'approve',
    label: 'Approve',
    explain: 'Blocked activities move on to Queued (or Waiting for the one they depend on); others are refused.',
  },
  {
    name: 'hold',
    label: 'Hold',
    explain: 'Queued activities move back to Blocked until approved; others are refused.',
  },
  {
    name: 'cancel',
    label: 'Cancel',
    explain: 'Activities not yet finished end Canceled; a running script is told to stop.',
  },
  {
    name: 'reapply',
    label: 'Reapply',
    explain: 'Creates new activities that run these again, as they were created.',
  },
];

function total(counts) {
  return Object.values(counts || {}).reduce((sum, n) => sum + n, 0);
}

/**
 * How many activities an action on these touches: a group counts its children (the API names them
 * all), a child of a group also chosen counts once, within its group.
 */
function touched(activities, failedOnly) {
  const groups = new Set(activities.filter((a) => a.type === 'ActivityGroup').map((a) => a.id));
  return activities.reduce((sum, a) => {
    if (groups.has(a.id)) {
      // reapplying where it failed redoes the failed children alone
      return sum + (failedOnly ? a.children_by_status.failed || 0 : total(a.children_by_status));
    }
    return sum + (a.parent_id !== null && groups.has(a.parent_id) ? 0 : 1);
  }, 0);
}

/** The chosen activities in words: "activity 5, group 3 (2 activities)", the first ten. */
function named(activities) {
  const words = activities
    .slice(0, 10)
    .map((a) => (a.type === 'ActivityGroup' ? `group ${a.id} (${plural(total(a.children_by_status), 'activity', 'activities')})` : 'activity ' + a.id));
  return words.join(', ') + (activities.length > 10 ? ` and ${activities.length - 10} more` : '');
}

function plural(n, one, many) {
  return n + ' ' + (n === 1 ? one : many);
}

/**
 * Confirms and runs an action on these activities, then says what happened in the outcome box.
 * Resolves to true when something was done.
 */
async function act(action, activities, outcome, options = {}) {
  const count = touched(activities, Boolean(options.failedOnly));
  const words = plural(count, 'activity', 'activities');
  const confirmed = await confirmDialog(
    `${action.label} ${words}?`,
    `${action.label} touches ${words}: ${named(activities)}${options.failedOnly ? ', where it failed' : ''}. ${action.explain}`,
    `${action.label} ${words}`,
  );
  if (!confirmed) {
    return false;
  }
  const ids = activities.map((a) => a.id);
  try {
    if (action.name === 'reapply') {
      const body =
        ids.length === 1 ? { id: ids[0], failed_only: Boolean(options.failedOnly) } : { ids, failed_only: Boolean(options.failedOnly) };
      const created = await api('POST', '/activities/reapply', body);
      const made = created.results || [created];
      replace(
        outcome,
        'Created ',
        made.map((a, i) => [i > 0 ? ', ' : '', h('a', { href: '#/activity/' + a.id }, 'activity ' + a.id)]),
        '.',
      );
    } else {
      const result = await api('POST', '/activities/' + action.name, { ids });
      replace(
        outcome,
        `${action.label}: ${plural(result.applied.length, 'activity', 'activities')} changed`,
        result.refused.length > 0
          ? [
              `, ${result.refused.length} refused: `,
              result.refused.map((r, i) => [(i > 0 ? '; ' : '') + 'activity ' + r.id + ': ' + r.reason]),
            ]
          : '',
        '.',
      );
    }
    outcome.className = 'outcome';
  } catch (error) {
    replace(outcome, error.message);
    outcome.className = 'outcome error';
  }
  outcome.hidden = false;
  announce(outcome.textContent);
  return true;
}

/** The action buttons over whatever selected() returns; after() runs once an action was done. */
function actionBar(selected, after, label) {
  const outcome = h('p', { class: 'outcome', role: 'status', hidden: true });
  const buttons = ACTIONS.map((action) =>
    h(
      'button',
      {
        type: 'button',
        'data-action': action.name,
        onclick: async () => {
          const chosen = selected();
          if (chosen.length === 0) {
            replace(outcome, 'Select activities first.');
            outcome.className = 'outcome error';
            outcome.hidden = false;
            return;
          }
          if (action.name === 'reapply' && chosen.length > 100) {
            replace(outcome, 'Reapply takes at most 100 activities at once.');
            outcome.className = 'outcome error';
            outcome.hidden = false;
            return;
          }
          if (await act(action, chosen, outcome)) {
            after();
          }
        },
      },
      action.label,
    ),
  );
  return h('div', { class: 'actions', role: 'group', 'aria-label': label }, buttons, outcome);
}

/** The bar alone: a part per status, as wide as its count (the words go beside it). */
function bar(counts) {
  const bar = h('div', { class: 'bar', 'aria-hidden': 'true' });
  for (const name of STATUSES) {
    const n = counts[name] || 0;
    if (n > 0) {
      const part = h('span', { class: 'part status-' + name, title: `${name}: ${n}` });
      part.style.flexGrow = String(n);
      bar.append(part);
    }
  }
  return bar;
}

/** A progress bar of a group's children per status, with the counts in words beside it. */
export function progressBar(counts) {
  const all = total(counts);
  const finished = [...FINAL].reduce((sum, s) => sum + (counts[s] || 0), 0);
  const words = STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return h(
    'div',
    { class: 'progress' },
    h('p', { class: 'progress-label' }, `${finished} of ${plural(all, 'child', 'children')} finished: ${words.join(', ') || 'none'}`),
    bar(counts),
  );
}

/**
 * A table of activities with a checkbox each; rows are kept by id so live events can change a
 * status in place. Returns {table, rows, selected()}.
 */
function activityTable(activities, chosen, caption) {
  const rows = new Map();
  const body = h('tbody');
  const all = h('input', {
    type: 'checkbox',
    'aria-label': 'Select every activity of this page',
    onchange: () => {
      for (const row of rows.values()) {
        row.box.checked = all.checked;
        toggle(row.activity.id, all.checked);
      }
    },
  });
  const toggle = (id, on) => (on ? chosen.add(id) : chosen.delete(id));
  for (const activity of activities) {
    const box = h('input', {
      type: 'checkbox',
      checked: chosen.has(activity.id),
      'aria-label': 'Select activity ' + activity.id,
      onchange: () => toggle(activity.id, box.checked),
    });
    const statusCell = h('td', { class: 'status-cell' }, status(activity.status));
    const typeCell = h('td', {}, activity.type);
    let small = null;
    if (activity.type === 'ActivityGroup') {
      typeCell.append(h('span', { class: 'hint' }, ' ' + plural(total(activity.children_by_status), 'computer', 'computers')));
      small = h('div', { class: 'small-bar' }, bar(activity.children_by_status));
      typeCell.append(small);
    }
    const tr = h(
      'tr',
      { 'data-id': activity.id },
      h('td', {}, box),
      h('td', {}, h('a', { href: '#/activity/' + activity.id }, String(activity.id))),
      typeCell,
      statusCell,
      h('td', { class: 'text' }, activity.summary || ''),
      h('td', {}, activity.computer_id === null || activity.computer_id === undefined ? '' : h('a', { href: '#/computers?query=' + encodeURIComponent('id:' + activity.computer_id) }, String(activity.computer_id))),
      h('td', { class: 'text' }, activity.creator || ''),
      h('td', {}, time(activity.created_at)),
    );
    rows.set(activity.id, { activity, tr, box, statusCell, small });
    body.append(tr);
  }
  const table = h(
    'table',
    { class: 'list' },
    h('caption', { class: 'sr-only' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, all),
        ['ID', 'Type', 'Status', 'Summary', 'Computer', 'Creator', 'Created'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    body,
  );
  const selected = () => [...rows.values()].filter((r) => r.box.checked).map((r) => r.activity);
  return { table, rows, selected };
}

/** Sets a row's status (from a live event), marking the change for a moment. */
function setStatus(row, to) {
  if (row.activity.status === to) {
    return;
  }
  row.activity.status = to;
  replace(row.statusCell, status(to));
  row.tr.classList.add('changed');
  setTimeout(() => row.tr.classList.remove('changed'), 1500);
}

/** Calls fn once per key after a short quiet time, however many times it is asked meanwhile. */
function debouncer(ms) {
  const timers = new Map();
  const debounce = (key, fn) => {
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        fn();
      }, ms),
    );
  };
  debounce.clear = () => {
    timers.forEach((t) => clearTimeout(t));
    timers.clear();
  };
  return debounce;
}

/** The query sent: the box's query, and the statuses ticked as one OR. */
function combined(text, statuses) {
  const chosen = statuses.length > 0 ? '(' + statuses.map((s) => 'status:' + s).join(' OR ') + ')' : '';
  if (!text.trim()) {
    return chosen;
  }
  return chosen ? `(${text}) ${chosen}` : text;
}

export function activitiesPage(main, params) {
  document.title = 'Activities · Outpost';
  const text = params.get('query') || '';
  const statuses = (params.get('status') || '').split(',').filter((s) => STATUSES.includes(s));
  const before = params.get('before') || '';
  const groupsOnly = params.get('groups') === 'true';

  const queryBox = h('input', {
    type: 'search',
    name: 'query',
    value: text,
    class: 'query',
    placeholder: 'type:ExecuteScriptRequest computer:tag:web',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const boxes = STATUSES.map((s) => {
    const box = h('input', { type: 'checkbox', name: 'status', value: s, checked: statuses.includes(s), id: unique('st') });
    return h('span', { class: 'check' }, box, h('label', { for: box.id }, status(s)));
  });
  const groups = h('input', { type: 'checkbox', name: 'groups', checked: groupsOnly, id: unique('groups') });
  const problem = errorBox(null);
  const form = h(
    'form',
    {
      class: 'search',
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        const ticked = [...form.querySelectorAll('input[name=status]:checked')].map((b) => b.value);
        location.hash = '#/activities' + query({ query: queryBox.value, status: ticked.join(','), groups: groups.checked ? 'true' : '' });
      },
    },
    field('Query', queryBox, 'Terms key:value, with AND, OR, NOT and parentheses: status:failed type:ExecuteScriptRequest'),
    h('fieldset', { class: 'statuses' }, h('legend', {}, 'Status'), boxes),
    h('span', { class: 'check' }, groups, h('label', { for: groups.id }, 'Groups only')),
    h('button', { type: 'submit', class: 'primary' }, 'Search'),
  );
  const count = h('p', { class: 'count', role: 'status' });
  const list = h('div', { class: 'table-wrap' });
  const paging = h('nav', { class: 'paging', 'aria-label': 'Pages' });
  const chosen = new Set();
  let table = { rows: new Map(), selected: () => [] };
  // after an action the rows stay: their statuses change live, as the events come
  const actions = actionBar(() => table.selected(), () => {}, 'Actions on the selected activities');
  replace(main, h('h1', {}, 'Activities'), form, problem, count, actions, list, paging);

  const sent = combined(text, statuses);
  let loading = null;
  async function load() {
    const ticket = {};
    loading = ticket;
    try {
      const page = await api(
        'GET',
        (groupsOnly ? '/activities/parents' : '/activities') + query({ query: sent, limit: PAGE, before }),
      );
      if (loading !== ticket) {
        return;
      }
      showError(problem, null);
      table = activityTable(page.results, chosen, 'Activities, newest first');
      replace(list, page.results.length > 0 ? table.table : h('p', { class: 'none' }, 'No activity matches.'));
      replace(
        count,
        page.count === null ? '' : (page.count_capped ? 'At least ' : '') + plural(page.count, 'activity matches', 'activities match') + '.',
      );
      const here = { query: text, status: statuses.join(','), groups: groupsOnly ? 'true' : '' };
      replace(
        paging,
        before ? h('a', { href: '#/activities' + query(here) }, 'Newest') : '',
        page.next !== null ? h('a', { href: '#/activities' + query({ ...here, before: page.next }), rel: 'next' }, 'Older') : '',
      );
    } catch (error) {
      showError(problem, error);
      replace(list);
      replace(count);
    }
  }
  load();

  const later = debouncer(200);
  const stop = follow('/events', ({ event, data }) => {
    if (event !== 'transition') {
      return;
    }
    const row = table.rows.get(data.id);
    if (row) {
      setStatus(row, data.to);
    }
    const parent = data.parent_id === null ? null : table.rows.get(data.parent_id);
    if (parent) {
      later('group-' + data.parent_id, async () => {
        const found = await api('GET', '/activities' + query({ query: 'id:' + data.parent_id, limit: 1, count: false }));
        if (found.results.length > 0) {
          parent.activity.children_by_status = found.results[0].children_by_status;
          if (parent.small) {
            replace(parent.small, bar(parent.activity.children_by_status));
          }
          setStatus(parent, found.results[0].status);
        }
      });
    }
    if (data.from === null && !before && !row && data.parent_id === null) {
      later('list', load);
    }
  });
  return () => {
    stop();
    later.clear();
  };
}

function describe(activity) {
  const rows = [
    ['Status', status(activity.status)],
    ['Type', activity.type + (activity.kind ? ` (${activity.kind})` : '')],
    ['Summary', activity.summary || ''],
    ['Computer', activity.computer_id === null ? '' : h('a', { href: '#/computers?query=' + encodeURIComponent('id:' + activity.computer_id) }, String(activity.computer_id))],
    ['Group', activity.parent_id === null ? '' : h('a', { href: '#/activity/' + activity.parent_id }, 'activity ' + activity.parent_id)],
    ['Targets', activity.all_computers ? 'all computers' : activity.query !== null && activity.query !== undefined ? 'query: ' + activity.query : ''],
    ['Creator', activity.creator || ''],
    ['Created', time(activity.created_at)],
    ['Deliver after', activity.deliver_after ? time(activity.deliver_after) : ''],
    ['Delivered', activity.delivered_at ? time(activity.delivered_at) : ''],
    ['Completed', activity.completed_at ? time(activity.completed_at) : ''],
    ['Progress', activity.progress === null || activity.progress === undefined ? '' : activity.progress + ' %'],
    ['Result code', activity.result_code === null || activity.result_code === undefined ? '' : String(activity.result_code)],
    ['Reapplied from', activity.reapplied_from ? h('a', { href: '#/activity/' + activity.reapplied_from }, 'activity ' + activity.reapplied_from) : ''],
    ['Stale', activity.stale ? 'delivered, no result past the deadline' : ''],
  ].filter(([, value]) => value !== '');
  return h('dl', { class: 'fields' }, rows.map(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]));
}

function timeline(events) {
  if (events.length === 0) {
    return h('p', { class: 'none' }, 'No event yet.');
  }
  return h(
    'ol',
    { class: 'timeline' },
    events.map((e) =>
      h(
        'li',
        {},
        time(e.at),
        ' ',
        e.from ? [status(e.from), ' → '] : 'created ',
        status(e.to),
        e.actor ? h('span', { class: 'actor' }, ' by ' + e.actor) : '',
        e.reason ? h('span', { class: 'reason' }, ': ' + e.reason) : '',
      ),
    ),
  );
}

export function activityPage(main, idText, params) {
  const id = Number.parseInt(idText, 10);
  document.title = `Activity ${id} · Outpost`;
  const heading = h('h1', {}, `Activity ${id}`);
  const problem = errorBox(null);
  const summary = h('section', { 'aria-labelledby': unique('s') });
  const group = h('section', { class: 'group', hidden: true });
  const parameters = h('section', { hidden: true });
  const result = h('section', { hidden: true });
  const outputText = h('pre', { class: 'output', tabindex: '0', 'aria-label': 'Output' });
  const outputState = h('p', { class: 'hint' }, 'Waiting for output…');
  const output = h('section', { hidden: true }, h('h2', {}, 'Output'), outputState, outputText);
  const events = h('section', {}, h('h2', {}, 'Timeline'));
  const timelineBody = h('div');
  events.append(timelineBody);
  const failedOnly = h('input', { type: 'checkbox', id: unique('failed') });
  let activity = null;
  const actions = actionBar(() => (activity ? [activity] : []), () => reload(), 'Actions on this activity');
  const reapplyFailed = h('span', { class: 'check', hidden: true }, failedOnly, h('label', { for: failedOnly.id }, 'Reapply where it failed only'));
  actions.insertBefore(reapplyFailed, actions.lastChild);
  // reapply of a group may be limited to its failed children
  actions.querySelector('[data-action=reapply]').addEventListener(
    'click',
    (event) => {
      if (failedOnly.checked && activity) {
        event.stopImmediatePropagation();
        act(ACTIONS[3], [activity], actions.lastChild, { failedOnly: true }).then((done) => done && reload());
      }
    },
    { capture: true },
  );
  summary.removeAttribute('aria-labelledby');
  replace(main, heading, problem, actions, summary, group, parameters, result, output, events);

  const childChosen = new Set();
  const childBefore = params.get('before') || '';
  let stopOutput = null;

  async function reload() {
    try {
      const [found, log] = await Promise.all([api('GET', '/activities/' + id), api('GET', `/activities/${id}/events`)]);
      if (activity !== null && activity.status !== found.status) {
        announce(`Activity ${id} is ${found.status}.`);
      }
      activity = found;
      showError(problem, null);
      replace(heading, `Activity ${id}: ${found.type}`, ' ', status(found.status));
      replace(summary, describe(found));
      replace(timelineBody, timeline(log.results));
      if (found.parameters && Object.keys(found.parameters).length > 0) {
        replace(parameters, h('h2', {}, 'Parameters'), h('p', { class: 'hint' }, 'Secret parameters show as ********.'), h('pre', { class: 'json', tabindex: '0' }, JSON.stringify(found.parameters, null, 2)));
        parameters.hidden = false;
      }
      if (found.result_text !== null && found.result_text !== undefined) {
        replace(result, h('h2', {}, 'Result'), h('pre', { class: 'result', tabindex: '0', 'aria-label': 'Result text' }, found.result_text));
        result.hidden = false;
      }
      if (found.type === 'ActivityGroup') {
        reapplyFailed.hidden = false;
        await children(found);
      } else if (found.kind === 'client' && stopOutput === null) {
        // scripts print output; other types may too, and show it once some came
        output.hidden = found.type !== 'ExecuteScriptRequest';
        followOutput();
      }
    } catch (error) {
      showError(problem, error);
    }
  }

  async function children(found) {
    const page = await api('GET', '/activities' + query({ query: 'parent-id:' + id, limit: PAGE, before: childBefore }));
    const table = activityTable(page.results, childChosen, `Children of activity ${id}`);
    const here = '#/activity/' + id;
    replace(
      group,
      h('h2', {}, 'Children'),
      progressBar(found.children_by_status),
      actionBar(() => table.selected(), () => reload(), 'Actions on the selected children'),
      table.table,
      h(
        'nav',
        { class: 'paging', 'aria-label': 'Pages of children' },
        childBefore ? h('a', { href: here }, 'Newest') : '',
        page.next !== null ? h('a', { href: here + query({ before: page.next }) }, 'Older') : '',
      ),
    );
    group.hidden = false;
  }

  function followOutput() {
    let received = false;
    stopOutput = follow(
      `/activities/${id}/output?follow=true`,
      ({ event, data }) => {
        if (event === 'output' && data.text) {
          received = true;
          output.hidden = false;
          outputText.append(document.createTextNode(data.text));
          outputState.textContent = data.truncated ? 'Output past the server\'s cap was cut.' : 'Live output:';
        }
        if (event === 'end') {
          outputState.textContent = received ? 'The activity ended; its whole output:' : 'The activity ended without output.';
          return true;
        }
        return false;
      },
      (error) => {
        outputState.textContent = error.message;
      },
    );
  }

  reload();
  const later = debouncer(150);
  const stopEvents = follow('/events', ({ event, data }) => {
    if (event === 'transition' && (data.id === id || data.parent_id === id)) {
      later('reload', reload);
    }
  });
  return () => {
    stopEvents();
    later.clear();
    if (stopOutput) {
      stopOutput();
    }
  };
}
