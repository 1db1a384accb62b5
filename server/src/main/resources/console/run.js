// Run a script: inline code or a saved script, on the computers a query selects (counted as the
// query is typed), now or from a time on, with or without approval first.

import { api, params as query } from './api.js';
import { errorBox, field, h, replace, showError, unique } from './dom.js';

export function runPage(main, params) {
  document.title = 'Run a script · Outpost';
  const inline = h('input', { type: 'radio', name: 'source', value: 'inline', id: unique('src'), checked: !params.get('script') });
  const saved = h('input', { type: 'radio', name: 'source', value: 'saved', id: unique('src'), checked: Boolean(params.get('script')) });
  const code = h('textarea', { name: 'code', rows: '8', spellcheck: 'false', class: 'code' }, '#!/bin/sh\n');
  const interpreter = h('input', { type: 'text', name: 'interpreter', placeholder: 'from the shebang line, else /bin/sh' });
  const script = h('select', { name: 'script' }, h('option', { value: '' }, 'Loading scripts…'));
  const username = h('input', { type: 'text', name: 'username', autocomplete: 'off' });
  const timeLimit = h('input', { type: 'number', name: 'time_limit', min: '1', max: '86400', inputmode: 'numeric' });
  const targets = h('input', {
    type: 'text',
    name: 'targets',
    value: params.get('targets') || '',
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: 'tag:web',
    required: true,
  });
  const matching = h('p', { class: 'count', role: 'status', 'aria-live': 'polite', id: unique('matching') });
  const summary = h('input', { type: 'text', name: 'summary', maxlength: '1000' });
  const deliverAfter = h('input', { type: 'datetime-local', name: 'deliver_after' });
  const approval = h('input', { type: 'checkbox', name: 'requires_approval', id: unique('approval') });
  const problem = errorBox(null);
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Run');

  const inlinePart = h('div', { class: 'part' }, field('Code', code), field('Interpreter', interpreter));
  const savedPart = h('div', { class: 'part' }, field('Saved script', script, 'Runs its current version with its files'));
  const sourceChanged = () => {
    inlinePart.hidden = !inline.checked;
    savedPart.hidden = !saved.checked;
    code.required = inline.checked;
    script.required = saved.checked;
  };
  inline.addEventListener('change', sourceChanged);
  saved.addEventListener('change', sourceChanged);
  sourceChanged();

  const form = h(
    'form',
    {
      class: 'run',
      onsubmit: async (event) => {
        event.preventDefault();
        const parameters = {};
        if (inline.checked) {
          parameters.code = code.value;
          if (interpreter.value.trim()) {
            parameters.interpreter = interpreter.value.trim();
          }
        } else {
          parameters.script_id = Number.parseInt(script.value, 10);
        }
        if (username.value.trim()) {
          parameters.username = username.value.trim();
        }
        if (timeLimit.value) {
          parameters.time_limit = Number.parseInt(timeLimit.value, 10);
        }
        const body = { type: 'ExecuteScriptRequest', query: targets.value, parameters };
        if (summary.value.trim()) {
          body.summary = summary.value.trim();
        }
        if (deliverAfter.value) {
          body.deliver_after = new Date(deliverAfter.value).toISOString();
        }
        if (approval.checked) {
          body.requires_approval = true;
        }
        submit.disabled = true;
        try {
          const created = await api('POST', '/activities', body);
          location.hash = '#/activity/' + created.id;
        } catch (error) {
          showError(problem, error);
          problem.focus?.();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h(
      'fieldset',
      {},
      h('legend', {}, 'Script'),
      h('span', { class: 'check' }, inline, h('label', { for: inline.id }, 'Inline code')),
      h('span', { class: 'check' }, saved, h('label', { for: saved.id }, 'A saved script')),
      inlinePart,
      savedPart,
      field('Run as user', username, 'Left empty: the script\'s default, else the agent\'s'),
      field('Time limit (seconds)', timeLimit),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Targets'),
      field('Computers (a computer query)', targets, 'id:3, tag:web, title:db-*, hostname:*.example.com; empty is not allowed'),
      matching,
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'When'),
      field('Deliver after (your local time; empty: now)', deliverAfter),
      h('span', { class: 'check' }, approval, h('label', { for: approval.id }, 'Hold for approval before it runs')),
      field('Summary', summary),
    ),
    problem,
    submit,
  );
  targets.setAttribute('aria-describedby', (targets.getAttribute('aria-describedby') || '') + ' ' + matching.id);
  replace(main, h('h1', {}, 'Run a script'), form);

  let timer = null;
  let asked = 0;
  const count = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const ticket = ++asked;
      const text = targets.value;
      if (!text.trim()) {
        replace(matching, 'Name the computers with a query.');
        return;
      }
      try {
        const page = await api('GET', '/computers' + query({ query: text, limit: 1 }));
        if (ticket === asked) {
          const n = page.count;
          replace(matching, (page.count_capped ? 'At least ' : '') + n + (n === 1 ? ' computer matches.' : ' computers match.'));
          matching.className = 'count';
        }
      } catch (error) {
        if (ticket === asked) {
          replace(matching, error.message);
          matching.className = 'count error';
        }
      }
    }, 250);
  };
  targets.addEventListener('input', count);
  count();

  (async () => {
    try {
      const page = await api('GET', '/scripts?limit=1000');
      replace(
        script,
        h('option', { value: '' }, page.results.length === 0 ? 'No saved script' : 'Choose a script'),
        page.results.map((s) => h('option', { value: String(s.id), selected: String(s.id) === params.get('script') }, `${s.title} (version ${s.version})`)),
      );
    } catch (error) {
      replace(script, h('option', { value: '' }, error.message));
    }
  })();
  return () => clearTimeout(timer);
}
