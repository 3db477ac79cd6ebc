// Small DOM helpers: build elements without innerHTML (nothing the server sends is parsed as HTML).

/** Creates an element: h('button', {type: 'button', onclick: f}, 'Save'). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Appends strings, nodes and arrays of them. */
export function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces every child of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let uniqueId = 0;
/** A fresh id for label/aria wiring. */
export function nextId(prefix) {
  uniqueId += 1;
  return `${prefix}-${uniqueId}`;
}

/** A labelled form field: returns {wrap, input, error}; `error` shows server messages. */
export function field(label, input) {
  const id = input.id || nextId('field');
  input.id = id;
  const error = h('p', {class: 'field-error', id: `${id}-error`, hidden: true});
  input.setAttribute('aria-describedby', error.id);
  const wrap = h('div', {class: 'field'}, h('label', {for: id}, label), input, error);
  return {wrap, input, error};
}

/** Shows (or clears, with '') an error next to a field. */
export function setFieldError(f, message) {
  f.error.textContent = message;
  f.error.hidden = !message;
  if (message) f.input.setAttribute('aria-invalid', 'true');
  else f.input.removeAttribute('aria-invalid');
}

/** Calls `fn` once `ms` after the last call. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
