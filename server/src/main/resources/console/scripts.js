// Saved scripts (list, one script with its code and versions, a new one) and script profiles (list,
// a new one).

import { api, params as query } from './api.js';
import { errorBox, field, h, replace, showError, time } from './dom.js';
import { tags } from './computers.js';

function table(caption, headings, rows) {
  return h(
    'table',
    { class: 'list' },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, headings.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows),
  );
}

// A page of results as a table, one row of cells each, or a line saying there is none.
function listing(page, none, caption, headings, cells) {
  if (page.results.length === 0) {
    return h('p', { class: 'none' }, none);
  }
  return table(caption, headings, page.results.map((item) => h('tr', {}, cells(item))));
}

function paging(base, next) {
  return h(
    'nav',
    { class: 'paging', 'aria-label': 'Pages' },
    next !== null ? h('a', { href: base + query({ before: next }), rel: 'next' }, 'Older') : '',
  );
}

export function scriptsPage(main, params) {
  document.title = 'Scripts · Outpost';
  const before = params.get('before') || '';
  const archived = params.get('archived') === 'true';
  const problem = errorBox(null);
  const list = h('div', { class: 'table-wrap' });
  const more = h('div');

  const title = h('input', { type: 'text', name: 'title', required: true, maxlength: '200' });
  const code = h('textarea', { name: 'code', rows: '8', spellcheck: 'false', class: 'code', required: true }, '#!/bin/sh\n');
  const limit = h('input', { type: 'number', name: 'time_limit', min: '1', max: '86400' });
  const username = h('input', { type: 'text', name: 'username' });
  const createProblem = errorBox(null);
  const create = h(
    'form',
    {
      class: 'create',
      onsubmit: async (event) => {
        event.preventDefault();
        const body = { title: title.value, code: code.value };
        if (limit.value) {
          body.time_limit = Number.parseInt(limit.value, 10);
        }
        if (username.value.trim()) {
          body.username = username.value.trim();
        }
        try {
          const created = await api('POST', '/scripts', body);
          location.hash = '#/scripts/' + created.id;
        } catch (error) {
          showError(createProblem, error);
        }
      },
    },
    h('h2', {}, 'New script'),
    field('Title', title),
    field('Code', code, 'The interpreter comes from the shebang line, else /bin/sh'),
    field('Default time limit (seconds)', limit),
    field('Default user', username),
    createProblem,
    h('button', { type: 'submit', class: 'primary' }, 'Save script'),
  );
  replace(
    main,
    h('h1', {}, archived ? 'Archived scripts' : 'Scripts'),
    h('p', {}, archived ? h('a', { href: '#/scripts' }, 'Scripts in use') : h('a', { href: '#/scripts?archived=true' }, 'Archived scripts')),
    problem,
    list,
    more,
    archived ? '' : create,
  );
  (async () => {
    try {
      const page = await api('GET', '/scripts' + query({ limit: 50, before, archived: archived ? 'true' : '' }));
      replace(
        list,
        listing(page, 'No script yet.', 'Saved scripts, newest first', ['ID', 'Title', 'Version', 'Interpreter', 'Creator', 'Created', ''], (s) => [
          h('td', {}, String(s.id)),
          h('td', { class: 'text' }, h('a', { href: '#/scripts/' + s.id }, s.title)),
          h('td', {}, String(s.version)),
          h('td', { class: 'text' }, s.interpreter),
          h('td', { class: 'text' }, s.creator),
          h('td', {}, time(s.created_at)),
          h('td', {}, s.archived ? '' : h('a', { href: '#/run' + query({ script: s.id }), 'aria-label': 'Run ' + s.title }, 'run')),
        ]),
      );
      replace(more, paging('#/scripts', page.next));
    } catch (error) {
      showError(problem, error);
    }
  })();
  return () => {};
}

export function scriptPage(main, idText) {
  const id = Number.parseInt(idText, 10);
  document.title = `Script ${id} · Outpost`;
  const heading = h('h1', {}, `Script ${id}`);
  const problem = errorBox(null);
  const body = h('div');
  replace(main, heading, problem, body);
  (async () => {
    try {
      const [script, versions, files] = await Promise.all([
        api('GET', '/scripts/' + id),
        api('GET', `/scripts/${id}/versions?limit=100`),
        api('GET', `/scripts/${id}/attachments`),
      ]);
      replace(heading, `Script ${id}: `, script.title);
      document.title = `${script.title} · Outpost`;
      replace(
        body,
        h(
          'dl',
          { class: 'fields' },
          [
            ['Version', String(script.version)],
            ['Interpreter', script.interpreter],
            ['Default user', script.username || '—'],
            ['Default time limit', script.time_limit ? script.time_limit + ' s' : '—'],
            ['Creator', script.creator],
            ['Created', time(script.created_at)],
            ['Archived', script.archived ? time(script.archived_at) : 'no'],
          ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
        ),
        script.archived ? '' : h('p', {}, h('a', { href: '#/run' + query({ script: id }), class: 'button' }, 'Run this script')),
        h('h2', {}, 'Code'),
        h('pre', { class: 'code', tabindex: '0', 'aria-label': 'Code of the current version' }, script.code),
        h('h2', {}, 'Files'),
        (files.results || []).length === 0
          ? h('p', { class: 'none' }, 'No file.')
          : h('ul', {}, files.results.map((f) => h('li', {}, f.filename, ` (${f.size} bytes)`))),
        h('h2', {}, 'Versions'),
        table(
          'Versions, newest first',
          ['Number', 'Interpreter', 'Creator', 'Created'],
          versions.results.map((v) =>
            h('tr', {}, h('td', {}, String(v.number)), h('td', { class: 'text' }, v.interpreter), h('td', { class: 'text' }, v.creator), h('td', {}, time(v.created_at))),
          ),
        ),
      );
    } catch (error) {
      showError(problem, error);
    }
  })();
  return () => {};
}

function trigger(t) {
  if (!t) {
    return '';
  }
  if (t.trigger_type === 'recurring') {
    return `cron ${t.interval} (${t.timezone || 'UTC'})`;
  }
  if (t.trigger_type === 'one_time') {
    return 'once at ' + t.timestamp;
  }
  if (t.trigger_type === 'event') {
    return 'on ' + t.event_type;
  }
  return t.trigger_type;
}

function targetsOf(p) {
  if (p.all_computers) {
    return 'all computers';
  }
  if (p.query !== null && p.query !== undefined) {
    return h('code', {}, p.query);
  }
  return tags(p.tags);
}

export function profilesPage(main, params) {
  document.title = 'Script profiles · Outpost';
  const before = params.get('before') || '';
  const problem = errorBox(null);
  const list = h('div', { class: 'table-wrap' });
  const more = h('div');

  const title = h('input', { type: 'text', name: 'title', required: true, maxlength: '200' });
  const script = h('select', { name: 'script_id', required: true }, h('option', { value: '' }, 'Loading scripts…'));
  const targetQuery = h('input', { type: 'text', name: 'query', required: true, placeholder: 'tag:web', spellcheck: 'false' });
  const kind = h(
    'select',
    { name: 'trigger_type' },
    h('option', { value: 'recurring' }, 'On a schedule (cron)'),
    h('option', { value: 'one_time' }, 'Once'),
    h('option', { value: 'event' }, 'On each computer that enrolls'),
  );
  const cron = h('input', { type: 'text', name: 'interval', value: '0 3 * * *', spellcheck: 'false' });
  const zone = h('input', { type: 'text', name: 'timezone', value: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' });
  const once = h('input', { type: 'datetime-local', name: 'timestamp' });
  const cronPart = h('div', { class: 'part' }, field('Cron expression (five fields)', cron), field('Time zone', zone));
  const oncePart = h('div', { class: 'part' }, field('At (your local time)', once));
  const kindChanged = () => {
    cronPart.hidden = kind.value !== 'recurring';
    oncePart.hidden = kind.value !== 'one_time';
  };
  kind.addEventListener('change', kindChanged);
  kindChanged();
  const createProblem = errorBox(null);
  const create = h(
    'form',
    {
      class: 'create',
      onsubmit: async (event) => {
        event.preventDefault();
        let triggerBody;
        if (kind.value === 'recurring') {
          triggerBody = { trigger_type: 'recurring', interval: cron.value, timezone: zone.value };
        } else if (kind.value === 'one_time') {
          triggerBody = { trigger_type: 'one_time', timestamp: once.value ? new Date(once.value).toISOString() : '' };
        } else {
          triggerBody = { trigger_type: 'event', event_type: 'post_enrollment' };
        }
        try {
          await api('POST', '/script-profiles', {
            title: title.value,
            script_id: Number.parseInt(script.value, 10),
            query: targetQuery.value,
            trigger: triggerBody,
          });
          location.hash = '#/profiles?created=' + Date.now();
        } catch (error) {
          showError(createProblem, error);
        }
      },
    },
    h('h2', {}, 'New profile'),
    field('Title', title),
    field('Script', script),
    field('Computers (a computer query, read at each firing)', targetQuery),
    field('Trigger', kind),
    cronPart,
    oncePart,
    createProblem,
    h('button', { type: 'submit', class: 'primary' }, 'Save profile'),
  );
  replace(main, h('h1', {}, 'Script profiles'), problem, list, more, create);
  (async () => {
    try {
      const [page, scripts] = await Promise.all([api('GET', '/script-profiles' + query({ limit: 50, before })), api('GET', '/scripts?limit=1000')]);
      const titles = new Map(scripts.results.map((s) => [s.id, s.title]));
      replace(
        script,
        h('option', { value: '' }, scripts.results.length === 0 ? 'No saved script' : 'Choose a script'),
        scripts.results.map((s) => h('option', { value: String(s.id) }, s.title)),
      );
      replace(
        list,
        listing(page, 'No profile yet.', 'Script profiles, newest first', ['ID', 'Title', 'Script', 'Computers', 'Trigger', 'Next firing', 'Last fired'], (p) => [
          h('td', {}, String(p.id)),
          h('td', { class: 'text' }, p.title),
          h('td', { class: 'text' }, h('a', { href: '#/scripts/' + p.script_id }, titles.get(p.script_id) || 'script ' + p.script_id)),
          h('td', {}, targetsOf(p)),
          h('td', { class: 'text' }, trigger(p.trigger)),
          h('td', {}, time(p.next_fire_at)),
          h('td', {}, time(p.last_fired_at)),
        ]),
      );
      replace(more, paging('#/profiles', page.next));
    } catch (error) {
      showError(problem, error);
    }
  })();
  return () => {};
}
