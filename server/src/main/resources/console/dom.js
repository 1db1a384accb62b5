// Building the page. Every text that came from the API (result texts, titles, tags, names) goes
// into text nodes: nothing here parses HTML, so no text can become markup or script.

/**
 * An element: h('a', {href: '#/x', class: 'y', onclick: f}, 'text', child, [more]). Attributes are
 * set one by one (functions as listeners); children are nodes or text, null and false are left out.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (name === 'for') {
      element.htmlFor = value;
    } else if (name === 'value') {
      element.value = value;
    } else if (name === 'checked' || name === 'disabled' || name === 'selected' || name === 'hidden') {
      element[name] = Boolean(value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Appends children (nodes, text, nested arrays) to a parent. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Empties an element and fills it anew. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A time as the reader's locale shows it, in a <time> carrying the ISO form; '—' when null. */
export function time(iso) {
  if (!iso) {
    return h('span', { class: 'none' }, '—');
  }
  const date = new Date(iso);
  return h('time', { datetime: iso, title: iso }, date.toLocaleString());
}

/** A status as a labelled badge. */
export function status(name) {
  return h('span', { class: 'status status-' + String(name).replace(/[^a-z-]/g, '') }, name);
}

let uniqueCount = 0;

/** An id for a label's control. */
export function unique(prefix) {
  uniqueCount += 1;
  return prefix + '-' + uniqueCount;
}

/** A labelled control: [label, control]. */
export function field(labelText, control, hint) {
  if (!control.id) {
    control.id = unique('f');
  }
  let hintNode = null;
  if (hint) {
    hintNode = h('span', { class: 'hint', id: control.id + '-hint' }, hint);
    control.setAttribute('aria-describedby', hintNode.id);
  }
  return h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control, hintNode);
}

/** Says something to screen readers without moving focus. */
export function announce(text) {
  const region = document.getElementById('announce');
  region.textContent = '';
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** An error box (role=alert) holding the API's words, or nothing when the error is null. */
export function errorBox(error) {
  if (!error) {
    return h('div', { class: 'error', role: 'alert', hidden: true });
  }
  return h('div', { class: 'error', role: 'alert' }, error.message || String(error));
}

/** Shows an error in a box made by errorBox (null hides it). */
export function showError(box, error) {
  box.textContent = error ? error.message || String(error) : '';
  box.hidden = !error;
}

/**
 * Asks before an action: a modal dialog saying what the action does and to how many activities.
 * Resolves to true when confirmed. Escape or the second button cancel; focus returns where it was.
 */
export function confirmDialog(title, text, confirmLabel) {
  return new Promise((resolve) => {
    const returnTo = document.activeElement;
    const heading = h('h2', { id: unique('dialog') }, title);
    const ok = h('button', { type: 'submit', value: 'yes', class: 'primary' }, confirmLabel);
    const cancel = h('button', { type: 'submit', value: 'no' }, 'Keep as they are');
    const dialog = h(
      'dialog',
      { 'aria-labelledby': heading.id, class: 'confirm' },
      h('form', { method: 'dialog' }, heading, h('p', {}, text), h('div', { class: 'buttons' }, ok, cancel)),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (returnTo && returnTo.focus) {
        returnTo.focus();
      }
      resolve(dialog.returnValue === 'yes');
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
