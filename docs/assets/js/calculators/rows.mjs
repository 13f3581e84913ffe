// Code rows (code + minutes, add and remove) shared by the calculators. The values go to
// the engine as typed; only the engine decides what a code or a number of minutes is.

import { h, nextId } from "./dom.mjs";

/** Split link text ("97112:24,98941") into [code, minutes] pairs to fill the form with.
 * For display only: the engine parses the link text itself. */
export function rowsFromLink(text) {
  return String(text)
    .split(",")
    .filter((part) => part.trim())
    .map((part) => {
      const at = part.search(/[:=]/);
      return at < 0 ? [part.trim(), ""] : [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    });
}

/** [code, minutes] pairs as a link's `lines` text: "97112:24,98941". */
export function linkText(rows) {
  return rows.map(([code, minutes]) => (minutes ? `${code}:${minutes}` : code)).join(",");
}

/** A query string whose ':' and ',' stay readable (both are legal in a query). */
export function query(params) {
  return Object.entries(params)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([key, value]) => `${key}=${encodeURIComponent(value).replace(/%3A/gi, ":").replace(/%2C/gi, ",")}`)
    .join("&");
}

/** This page's address with another query (for "copy link"). */
export function pageLink(params) {
  const url = new URL(window.location.href);
  url.hash = "";
  url.search = query(params);
  return url.href;
}

/**
 * The code rows: {element, add(code, minutes), set(pairs), values(), request(), fillCodes(list)}.
 * onChange() runs when a row is removed or an input is committed (change event).
 */
export function codeRows({ onChange = () => {}, caption = "Codes", placeholder = "97112" } = {}) {
  const listId = nextId("calc-codes");
  const body = h("tbody");
  const datalist = h("datalist", { id: listId });

  function renumber() {
    [...body.children].forEach((row, i) => {
      row.querySelector("[name=code]").setAttribute("aria-label", `Code, line ${i + 1}`);
      row.querySelector("[name=minutes]").setAttribute("aria-label", `Minutes, line ${i + 1}`);
      row.querySelector(".calc-remove").setAttribute("aria-label", `Remove line ${i + 1}`);
    });
  }

  function add(code = "", minutes = "") {
    const codeInput = h("input", {
      type: "text",
      name: "code",
      list: listId,
      autocomplete: "off",
      spellcheck: "false",
      size: "8",
      placeholder,
    });
    const minutesInput = h("input", {
      type: "text",
      name: "minutes",
      inputmode: "numeric",
      autocomplete: "off",
      size: "5",
      placeholder: "min",
    });
    codeInput.value = code;
    minutesInput.value = minutes;
    const row = h(
      "tr",
      { class: "calc-row" },
      h("td", {}, codeInput),
      h("td", {}, minutesInput),
      h(
        "td",
        {},
        h("button", {
          type: "button",
          class: "md-button calc-remove",
          text: "Remove",
          onclick: () => {
            const next = row.nextElementSibling || row.previousElementSibling;
            row.remove();
            if (!body.children.length) add();
            renumber();
            const focus = (next && next.isConnected ? next : body.lastElementChild).querySelector("[name=code]");
            focus.focus();
            onChange();
          },
        }),
      ),
    );
    body.append(row);
    renumber();
    return codeInput;
  }

  function set(pairs) {
    body.replaceChildren();
    for (const [code, minutes] of pairs) add(code, minutes);
    if (!body.children.length) add();
  }

  /** The non-empty rows as [code, minutes] text pairs. */
  function values() {
    return [...body.children]
      .map((row) => [row.querySelector("[name=code]").value.trim(), row.querySelector("[name=minutes]").value.trim()])
      .filter(([code, minutes]) => code || minutes);
  }

  /** The rows as the engine's JSON lines: [{code, minutes}] (text, as typed). */
  function request() {
    return values().map(([code, minutes]) => ({ code, minutes }));
  }

  function fillCodes(codes) {
    datalist.replaceChildren(...codes.map((c) => h("option", { value: c.code, label: `${c.code} ${c.name}` })));
  }

  body.addEventListener("change", (event) => {
    if (event.target.name === "code" || event.target.name === "minutes") onChange();
  });

  const element = h(
    "div",
    { class: "calc-rows-group" },
    h(
      "table",
      { class: "calc-rows" },
      h("caption", { class: "calc-offscreen", text: caption }),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col", text: "Code" }),
          h("th", { scope: "col", text: "Minutes" }),
          h("th", { scope: "col" }, h("span", { class: "calc-offscreen", text: "Remove" })),
        ),
      ),
      body,
    ),
    datalist,
    h("button", { type: "button", class: "md-button calc-add", text: "Add code", onclick: () => add().focus() }),
  );
  return { element, add, set, values, request, fillCodes };
}
