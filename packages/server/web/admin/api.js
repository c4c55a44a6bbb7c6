/**
 * The console's calls to the node's HTTP API. The admin key lives in this tab's sessionStorage
 * (never a URL or a cookie, so it is not sent on its own or logged by proxies) and goes out as
 * the Authorization header of each call.
 */
const KEY_ITEM = 'hubcast.adminKey';

export const savedKey = () => sessionStorage.getItem(KEY_ITEM) ?? '';
export const saveKey = (key) => sessionStorage.setItem(KEY_ITEM, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_ITEM);

/** An API error with the server's code and HTTP status. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls `path` with the saved key; resolves with the JSON answer, rejects with an ApiError. */
export async function api(path, { method = 'GET', query, body } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const headers = { authorization: `Bearer ${savedKey()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok)
    throw new ApiError(res.status, json?.error?.code ?? 'error', json?.error?.message ?? text);
  return json;
}

/**
 * Builds an element: strings among `children` become text nodes, so a tenant's channel name or
 * user id is shown as text and never parsed as HTML. Nothing in the console uses innerHTML.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'onclick') node.addEventListener('click', v);
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** Shows `err` in `into` as text. */
export function showError(into, err) {
  into.textContent =
    err instanceof ApiError ? `${err.status} ${err.code}: ${err.message}` : String(err);
  into.classList.add('error');
}

export const byId = (id) => document.getElementById(id);
