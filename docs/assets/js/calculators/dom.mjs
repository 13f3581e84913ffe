// Small DOM helpers shared by the calculator widgets. Everything a user or a link
// supplies goes in as text (text nodes, .value, setAttribute): never as HTML.

let uid = 0;

/** A unique id for label/aria wiring. */
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * h("p", {class: "x", onclick: fn, "aria-live": "polite"}, "text", child, [more])
 * Keys: class, text, dataset, on<event> (a listener, never an attribute), anything
 * else becomes an attribute (true → "", false/null/undefined → left out).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** Append children: nodes, strings (as text), arrays; null/false are skipped. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A Material-styled notice box: kind is note, info, tip, warning, failure, … */
export function notice(kind, title, ...body) {
  return h(
    "div",
    { class: `admonition ${kind}` },
    h("p", { class: "admonition-title", text: title }),
    ...body
      .flat()
      .filter((part) => part !== null && part !== undefined && part !== false)
      .map((part) => (part instanceof Node ? part : h("p", { text: part }))),
  );
}

/** A labelled group of plain-text list items (or nothing when the list is empty). */
export function textList(items, ordered = false) {
  if (!items || !items.length) return null;
  return h(ordered ? "ol" : "ul", {}, items.map((item) => h("li", { text: item })));
}

/**
 * A source text with the name of each document the engine found in it linked to the
 * document (the answer's source_links: {name, href}). The words stay the engine's.
 */
export function sourceText(text, links = []) {
  const parts = [];
  let rest = String(text);
  while (rest) {
    let first = null;
    for (const link of links) {
      const at = rest.indexOf(link.name);
      if (at >= 0 && (first === null || at < first.at)) first = { at, link };
    }
    if (first === null) {
      parts.push(rest);
      break;
    }
    if (first.at) parts.push(rest.slice(0, first.at));
    parts.push(h("a", { class: "calc-source-link", href: first.link.href, text: first.link.name }));
    rest = rest.slice(first.at + first.link.name.length);
  }
  return parts;
}

/** The "Sources:" list of an answer, each document's name linked (sourceText). */
export function sourceList(items, links = []) {
  if (!items || !items.length) return null;
  return h("ul", {}, items.map((item) => h("li", {}, sourceText(item, links))));
}

/**
 * Copy text to the clipboard. The Clipboard API needs a secure context (https or
 * localhost); intranet sites are often plain http, so fall back to a hidden textarea.
 * Resolves to true when the text was copied.
 */
export async function copyText(text) {
  if (window.isSecureContext && navigator.clipboard && navigator.clipboard.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through
    }
  }
  const area = h("textarea", { readonly: true, class: "calc-offscreen", "aria-hidden": "true" });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/**
 * A button that copies what getText() returns and says so in a live region next to it;
 * when copying is impossible, it shows the text selected for Ctrl+C.
 */
export function copyButton(label, getText) {
  const said = h("span", { class: "calc-copy-status", role: "status" });
  const shown = h("input", { type: "text", readonly: true, class: "calc-copy-fallback", hidden: true, "aria-label": label });
  const button = h("button", {
    type: "button",
    class: "md-button calc-copy",
    text: label,
    onclick: async () => {
      const text = getText();
      if (await copyText(text)) {
        shown.hidden = true;
        said.textContent = "Copied.";
      } else {
        shown.value = text;
        shown.hidden = false;
        shown.select();
        said.textContent = "Press Ctrl+C to copy.";
      }
    },
  });
  return h("span", { class: "calc-copy-group" }, button, said, shown);
}

/**
 * The engine's loading progress and failure message, inside a widget. Unsubscribes by
 * itself once the widget has left the page (instant navigation swapped it out).
 */
export function engineStatus(engine, onReady, onFailed = null) {
  const bar = h("progress", { max: "4", value: "0", "aria-label": "Calculator engine loading" });
  const text = h("span", { class: "calc-status-text" });
  const box = h("div", { class: "calc-status", role: "status", "aria-live": "polite" }, bar, " ", text);
  let unsubscribe = null;
  let done = false; // ready and failed are final: stop listening then
  const render = (status) => {
    if (done) return;
    if (box.dataset.mounted && !box.isConnected) {
      done = true; // the page changed under us (instant navigation)
    } else if (status.state === "ready") {
      box.hidden = true;
      box.dataset.state = status.state;
      box.dataset.enginePath = status.path; // "snapshot" or "boot", for tests
      done = true;
      if (onReady) onReady();
    } else if (status.state === "failed") {
      box.hidden = false;
      box.dataset.state = status.state;
      box.setAttribute("role", "alert");
      box.replaceChildren(
        notice(
          "failure",
          "The calculator could not load",
          `Reason: ${status.message}.`,
          "Everything else on this page still works: the rules, charts and tables above " +
            "answer the same questions. Reload the page to try again; if it keeps failing, " +
            "ask IT whether the network blocks .wasm files.",
        ),
      );
      done = true;
      if (onFailed) onFailed(status.message);
    } else {
      box.hidden = false;
      box.dataset.state = status.state;
      bar.value = status.step;
      text.textContent = status.message || "Starting the calculator engine…";
    }
    if (done && unsubscribe) unsubscribe();
  };
  unsubscribe = engine.subscribe(render);
  if (done) unsubscribe();
  queueMicrotask(() => {
    box.dataset.mounted = "1";
  });
  return box;
}

/**
 * A message beside a form field, for input the calculator needs before it can ask the
 * engine: {element, show(text, focusOn), clear()}. The control gets aria-invalid and
 * aria-describedby while the message shows, and show() moves the focus to it.
 */
export function fieldMessage() {
  const element = h("span", { class: "calc-field-error", id: nextId("calc-error"), role: "alert" });
  let control = null;
  function clear() {
    element.textContent = "";
    if (control) {
      control.removeAttribute("aria-invalid");
      const rest = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== element.id);
      if (rest.length) control.setAttribute("aria-describedby", rest.join(" "));
      else control.removeAttribute("aria-describedby");
    }
    control = null;
  }
  function show(text, focusOn) {
    clear();
    element.textContent = text;
    control = focusOn;
    const described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    control.setAttribute("aria-describedby", [...described, element.id].join(" "));
    control.setAttribute("aria-invalid", "true");
    control.focus();
  }
  return { element, show, clear };
}

/**
 * What a calculator shows when its button is pressed before the engine is ready: the
 * request waits and runs by itself once the engine is (its progress is shown above).
 */
function waitingNotice(what) {
  return notice(
    "info calc-queued",
    "Waiting for the calculator engine",
    `${what} as soon as the engine is ready: there is no need to press the button again. Its progress is shown above.`,
  );
}

/**
 * A calculator's button pressed before the engine is ready: press(run) runs now when it
 * is ready, or shows waitingNotice(what) in the result area and runs once ready() is
 * called (failed(): the engine will not come, and its own notice says so).
 */
export function untilReady(result, what) {
  let isReady = false;
  let waiting = null;
  return {
    press(run) {
      if (isReady) return run();
      waiting = run;
      result.clear(waitingNotice(what));
    },
    ready() {
      isReady = true;
      const run = waiting;
      waiting = null;
      if (run) {
        result.clear(); // the waiting notice: the answer, or a field's message, follows
        run();
      }
    },
    failed() {
      if (waiting) result.clear();
      waiting = null;
    },
  };
}

/**
 * Keep a calculator's inputs in the address bar (in the link format, without a new
 * history entry), so that Back and Forward, a reload or a bookmark bring them back.
 */
export function keepInAddress(href) {
  if (href === window.location.href) return;
  window.history.replaceState(window.history.state, "", href);
  document.dispatchEvent(new CustomEvent("calc:address")); // calculators.mjs: not a new link
}

const CONFIDENCE = {
  high: "high confidence",
  medium: "medium confidence",
  low: "low confidence",
  verify: "verify: not confirmed in a public source",
};

/** The confidence flag of a rule (the site's badge styles), as text. */
export function badge(confidence) {
  const level = Object.hasOwn(CONFIDENCE, confidence) ? confidence : "verify";
  return h("span", { class: `badge badge-${level}`, text: CONFIDENCE[level] });
}

/**
 * A warning or note from the engine: its message, then its source (documents linked:
 * the answer's source_links) and confidence.
 */
export function sourcedNotice(kind, title, item, links = []) {
  return notice(
    kind,
    title,
    h("p", { text: item.message, dataset: { code: item.code || "" } }),
    item.source || item.confidence
      ? h("p", { class: "calc-source" }, item.source ? ["Source: ", sourceText(item.source, links), " "] : "", item.confidence ? badge(item.confidence) : null)
      : null,
  );
}

/**
 * The element that shows the engine's answers to one call: {element, show(request, preview)}.
 * Only the newest question's answer is shown; the answer's JSON goes into data-result
 * (for tests and scripts) and data-state says empty, pending, ok or error. `preview`, a
 * promise of nodes (or of null), is shown while the engine has not answered yet
 * (data-preview="shown"); the engine's answer replaces it. show() resolves to the
 * answer (null when a newer question replaced it).
 */
export function resultArea(engine, callName, render) {
  const element = h("div", { class: "calc-result", "aria-live": "polite", dataset: { state: "empty" } });
  let asked = 0;
  async function show(request, preview = null) {
    const ticket = ++asked;
    element.dataset.state = "pending";
    delete element.dataset.preview;
    if (preview) {
      Promise.resolve(preview).then((nodes) => {
        if (!nodes || ticket !== asked || element.dataset.state !== "pending") return;
        element.dataset.preview = "shown";
        element.replaceChildren(...nodes);
      });
    }
    const answer = await engine.call(callName, request);
    if (ticket !== asked) return null; // a newer question is on its way
    delete element.dataset.preview;
    element.setAttribute("data-result", JSON.stringify(answer));
    element.dataset.state = answer.error ? "error" : "ok";
    element.replaceChildren(...render(answer));
    return answer;
  }
  /** Nothing asked yet: show these nodes instead (a hint, never an answer). */
  function clear(...nodes) {
    asked += 1;
    delete element.dataset.preview;
    element.removeAttribute("data-result");
    element.dataset.state = "empty";
    element.replaceChildren(...nodes);
  }
  return { element, show, clear };
}
