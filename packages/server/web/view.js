/**
 * DOM helpers of the dev console: element lookup by `data-testid`, inline errors, formatting.
 * No hubcast logic here; app.js wires the SDK to these.
 */

/** The element with `data-testid="id"` (inside `root`); throws when the page lacks it. */
export function byTestId(id, root = document) {
  const el = root.querySelector(`[data-testid="${id}"]`);
  if (el === null) throw new Error(`dev page: no element [data-testid="${id}"]`);
  return el;
}

/** `code: message` for a HubcastError (or any error), code emphasised. */
export function showError(el, error) {
  el.replaceChildren();
  const code = typeof error?.code === 'string' ? error.code : undefined;
  if (code !== undefined) {
    const b = document.createElement('b');
    b.textContent = code;
    el.append(b, ': ');
  }
  el.append(typeof error?.message === 'string' ? error.message : String(error));
  el.dataset.code = code ?? '';
  el.hidden = false;
}

export function hideError(el) {
  el.hidden = true;
  el.replaceChildren();
  el.dataset.code = '';
}

/** Replays the short highlight animation on `el`. */
export function flash(el) {
  el.classList.remove('flash');
  void el.offsetWidth; // restart the animation
  el.classList.add('flash');
}

/** `HH:MM:SS.mmm` in local time for an RFC 3339 timestamp. */
export function formatTime(ts) {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return String(ts);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Quotes `s` for a POSIX shell: single quotes, with embedded ones as `'\''`. */
export function shellQuote(s) {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Parses the publish form's data; `{ ok: true, value }` or `{ ok: false, message }`. */
export function parseJson(text) {
  if (text.trim() === '')
    return { ok: false, message: 'data is empty: enter a JSON value (null for none)' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      message: `data is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** A button's label for a moment, then back. */
export function blink(button, label, ms = 1200) {
  const original = button.dataset.label ?? button.textContent;
  button.dataset.label = original;
  button.textContent = label;
  clearTimeout(Number(button.dataset.timer));
  button.dataset.timer = String(setTimeout(() => (button.textContent = original), ms));
}
