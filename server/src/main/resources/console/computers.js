// Computers: the ones a computer query selects, with tags, last exchange, whether the agent's
// channel is connected, and the work waiting for each.

import { api, params as query } from './api.js';
import { errorBox, field, h, replace, showError, time } from './dom.js';

const PAGE = 50;

export function tags(list) {
  if (!list || list.length === 0) {
    return h('span', { class: 'none' }, 'none');
  }
  return h('ul', { class: 'tags' }, list.map((tag) => h('li', { class: 'tag' }, tag)));
}

export function computersPage(main, params) {
  document.title = 'Computers · Outpost';
  const text = params.get('query') || '';
  const after = params.get('after') || '';
  const queryBox = h('input', {
    type: 'search',
    name: 'query',
    value: text,
    class: 'query',
    placeholder: 'tag:web last-exchange-before:1d',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const problem = errorBox(null);
  const form = h(
    'form',
    {
      class: 'search',
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = '#/computers' + query({ query: queryBox.value });
      },
    },
    field('Query', queryBox, 'Terms of computers: id:, title:, hostname:, tag:, registered-after:, last-exchange-before:, pending:'),
    h('button', { type: 'submit', class: 'primary' }, 'Search'),
  );
  const count = h('p', { class: 'count', role: 'status' });
  const list = h('div', { class: 'table-wrap' });
  const paging = h('nav', { class: 'paging', 'aria-label': 'Pages' });
  replace(main, h('h1', {}, 'Computers'), form, problem, count, list, paging);

  (async () => {
    try {
      const page = await api('GET', '/computers' + query({ query: text, limit: PAGE, after }));
      showError(problem, null);
      replace(
        count,
        page.count === null ? '' : (page.count_capped ? 'At least ' : '') + page.count + (page.count === 1 ? ' computer matches.' : ' computers match.'),
      );
      if (page.results.length === 0) {
        replace(list, h('p', { class: 'none' }, 'No computer matches.'));
        return;
      }
      replace(
        list,
        h(
          'table',
          { class: 'list' },
          h('caption', { class: 'sr-only' }, 'Computers by id'),
          h(
            'thead',
            {},
            h('tr', {}, ['ID', 'Title', 'Hostname', 'Tags', 'Last exchange', 'Online', 'Pending work', 'Activities'].map((t) => h('th', { scope: 'col' }, t))),
          ),
          h(
            'tbody',
            {},
            page.results.map((c) =>
              h(
                'tr',
                { 'data-id': c.id },
                h('td', {}, String(c.id)),
                h('td', { class: 'text' }, c.title),
                h('td', { class: 'text' }, c.hostname || ''),
                h('td', {}, tags(c.tags)),
                h('td', {}, time(c.last_exchange_at)),
                h('td', {}, c.channel_connected ? h('span', { class: 'online' }, 'online') : h('span', { class: 'offline' }, 'not connected')),
                h('td', {}, c.pending_messages > 0 ? String(c.pending_messages) : h('span', { class: 'none' }, '0')),
                h(
                  'td',
                  {},
                  h('a', { href: '#/activities' + query({ query: 'computer-id:' + c.id }), 'aria-label': 'Activities of computer ' + c.id }, 'activities'),
                  ' ',
                  h('a', { href: '#/run' + query({ targets: 'id:' + c.id }), 'aria-label': 'Run a script on computer ' + c.id }, 'run a script'),
                ),
              ),
            ),
          ),
        ),
      );
      replace(
        paging,
        after ? h('a', { href: '#/computers' + query({ query: text }) }, 'First') : '',
        page.next !== null ? h('a', { href: '#/computers' + query({ query: text, after: page.next }), rel: 'next' }, 'Next') : '',
      );
    } catch (error) {
      showError(problem, error);
    }
  })();
  return () => {};
}
