// The admin API as the console uses it. How a request proves who sends it lives in
// credentials(), signIn() and signOut() alone: the server's session cookie (HttpOnly, so no
// script of the page can read it), opened by POST /api/v2/login with an email and password or
// with a token; every request then carries the header that marks it as the console's own (the
// server refuses a cookie-authenticated change without it or the same Origin).

const SIGNED_IN_KEY = 'outpost.signed-in';
const BASE = '/api/v2';
const CSRF_HEADER = 'X-Outpost-CSRF';

/** An error the API answered: its HTTP status, its code and its message, as the API words them. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let unauthorized = () => {};

/** Called when the API answers 401: the session ended, or its token was revoked. */
export function whenUnauthorized(handler) {
  unauthorized = handler;
}

/** Whether this tab signed in (the cookie itself is out of the page's reach). */
export function signedIn() {
  return sessionStorage.getItem(SIGNED_IN_KEY) !== null;
}

async function login(body) {
  const response = await fetch(BASE + '/login', {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', [CSRF_HEADER]: '1' },
    body: JSON.stringify(body),
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (!response.ok) {
    throw await failure(response);
  }
  const who = await response.json();
  sessionStorage.setItem(SIGNED_IN_KEY, who.email || '');
}

/** Opens a session with an administrator's email and password. */
export function signInWithPassword(email, password) {
  return login({ email, password });
}

/** Opens a session with a token (the token itself is not kept). */
export function signIn(token) {
  return login({ token });
}

/** Ends the session on the server, and forgets it here. */
export function signOut() {
  if (signedIn()) {
    fetch(BASE + '/logout', {
      method: 'POST',
      headers: credentials(),
      cache: 'no-store',
      credentials: 'same-origin',
    }).catch(() => {});
  }
  sessionStorage.removeItem(SIGNED_IN_KEY);
}

function credentials() {
  return { [CSRF_HEADER]: '1' };
}

async function failure(response) {
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the text is the message
  }
  if (body !== null && typeof body === 'object' && typeof body.message === 'string') {
    return new ApiError(response.status, body.error || String(response.status), body.message);
  }
  return new ApiError(response.status, String(response.status), text || response.statusText);
}

/** One call of the API: resolves to its JSON, or rejects with an ApiError. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json', ...credentials() };
  const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(BASE + path, init);
  if (!response.ok) {
    const error = await failure(response);
    if (response.status === 401) {
      unauthorized(error);
    }
    throw error;
  }
  const text = await response.text();
  return text === '' ? null : JSON.parse(text);
}

/** A query string from an object, leaving out empty values. */
export function params(values) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text === '' ? '' : '?' + text;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows a Server-Sent Events stream of the API through fetch() (EventSource cannot send an
 * Authorization header), reconnecting with Last-Event-ID when the connection drops, so no event is
 * missed. onEvent gets {event, data (parsed JSON), id}; returning true from it ends the stream.
 * onError gets an ApiError the API answered (the stream then stops). Returns a function that stops.
 */
export function follow(path, onEvent, onError = () => {}) {
  const controller = new AbortController();
  let lastId = null;
  let stopped = false;
  const stop = () => {
    stopped = true;
    controller.abort();
  };
  (async () => {
    while (!stopped) {
      try {
        const headers = { Accept: 'text/event-stream', ...credentials() };
        if (lastId !== null) {
          headers['Last-Event-ID'] = lastId;
        }
        const response = await fetch(BASE + path, {
          headers,
          signal: controller.signal,
          cache: 'no-store',
          credentials: 'same-origin',
        });
        if (!response.ok) {
          const error = await failure(response);
          if (response.status === 401) {
            unauthorized(error);
          }
          if (response.status !== 429 && response.status < 500) {
            onError(error);
            stopped = true;
            return;
          }
          throw error;
        }
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        let event = '';
        let data = [];
        let id = null;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) {
            break;
          }
          buffer += value;
          let newline;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            let line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (line.endsWith('\r')) {
              line = line.slice(0, -1);
            }
            if (line === '') {
              if (id !== null) {
                lastId = id;
              }
              if (data.length > 0) {
                let parsed;
                try {
                  parsed = JSON.parse(data.join('\n'));
                } catch {
                  parsed = data.join('\n');
                }
                if (onEvent({ event: event || 'message', data: parsed, id }) === true) {
                  stop();
                  return;
                }
              }
              event = '';
              data = [];
              id = null;
              continue;
            }
            if (line.startsWith(':')) {
              continue;
            }
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            let text = colon < 0 ? '' : line.slice(colon + 1);
            if (text.startsWith(' ')) {
              text = text.slice(1);
            }
            if (field === 'event') {
              event = text;
            } else if (field === 'data') {
              data.push(text);
            } else if (field === 'id') {
              id = text;
            }
          }
        }
      } catch (error) {
        if (stopped) {
          return;
        }
      }
      if (!stopped) {
        await sleep(1000);
      }
    }
  })();
  return stop;
}
