// The console's shell: sign in, the routes (#/activities, #/activity/7, ...) and the pages they
// show. Each page renders into <main> and returns a function that stops what it started (streams,
// timers) when another page replaces it.

import { signIn, signInWithPassword, signOut, signedIn, whenUnauthorized } from './api.js';
import { errorBox, field, h, replace, showError } from './dom.js';
import { activitiesPage, activityPage } from './activities.js';
import { computersPage } from './computers.js';
import { runPage } from './run.js';
import { profilesPage, scriptPage, scriptsPage } from './scripts.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOutButton = document.getElementById('signout');
let cleanup = () => {};

const routes = {
  activities: (params) => activitiesPage(main, params),
  activity: (params, id) => activityPage(main, id, params),
  computers: (params) => computersPage(main, params),
  run: (params) => runPage(main, params),
  scripts: (params, id) => (id ? scriptPage(main, id) : scriptsPage(main, params)),
  profiles: (params) => profilesPage(main, params),
};

/** The page the hash names: ['activity', '7'] and its parameters. */
function current() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : 'activities';
  const [path, search] = hash.split('?', 2);
  const [name, id] = path.split('/');
  return { name, id, params: new URLSearchParams(search || '') };
}

function show() {
  cleanup();
  cleanup = () => {};
  const signed = signedIn();
  nav.hidden = !signed;
  signOutButton.hidden = !signed;
  if (!signed) {
    signInPage();
    return;
  }
  const { name, id, params } = current();
  const page = routes[name] || routes.activities;
  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === '#/' + name) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  cleanup = page(params, id) || (() => {});
  const heading = main.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

function signInPage() {
  document.title = 'Sign in · Outpost';
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const token = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });
  const byPassword = signInForm(
    'signin',
    () => signInWithPassword(email.value.trim(), password.value),
    password,
    h('h1', {}, 'Sign in'),
    field('Email', email),
    field('Password', password),
  );
  const byToken = signInForm(
    'signin token',
    () => signIn(token.value.trim()),
    token,
    h('h2', {}, 'Or with a token'),
    h('p', {}, 'An API token of your account opens a session as its administrator.'),
    field('Admin token', token),
  );
  replace(main, h('div', {}, byPassword, byToken));
  email.focus();
}

/** A sign-in form: its fields, then the API's refusal if any, then its button. */
function signInForm(className, submit, focusOnError, ...fields) {
  const problem = errorBox(null);
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  return h(
    'form',
    {
      class: className,
      onsubmit: async (event) => {
        event.preventDefault();
        button.disabled = true;
        try {
          await submit();
          show();
        } catch (error) {
          showError(problem, error);
          focusOnError.focus();
        } finally {
          button.disabled = false;
        }
      },
    },
    ...fields,
    problem,
    button,
  );
}

whenUnauthorized(() => {
  signOut();
  show();
});

signOutButton.addEventListener('click', () => {
  signOut();
  location.hash = '#/activities';
  show();
});

document.getElementById('skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', show);
show();
