// Code rows (code + minutes, add and remove) shared by the calculators. The values go to
// the engine as typed; only the engine decides what a code or a number of minutes is.

import { h, nextId } from "./dom.mjs";

/** Split link text ("97112:24,98941", "97112:23:same-region") into [code, minutes,
 * fact] triples to fill the form with; `facts`: the words that are facts, not minutes.
 * For display only: the engine parses the link text itself. */
export function rowsFromLink(text, facts = []) {
  return String(text)
    .split(",")
    .filter((part) => part.trim())
    .map((part) => {
      const [code, ...rest] = part.split(/[:=]/).map((piece) => piece.trim());
      const minutes = rest.length && !facts.includes(rest[0]) ? rest.shift() : "";
      return [code, minutes, rest.join(":")];
    });
}

/** [code, minutes, fact] rows as a link's `lines` text: "97112:24,98941,97140:10:same-region". */
export function linkText(rows) {
  return rows.map((row) => row.filter(Boolean).join(":")).join(",");
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
 * The code rows: {element, add(code, minutes, fact), set(rows), values(), request(), fillCodes(list)}.
 * onChange() runs when a row is removed or an input is committed (change event).
 * `fact` (optional): {label, options: [[value, text], ...]}, a per-row choice whose value
 * (a link word such as "same-region", "" for none) goes to the engine with the row.
 */
export function codeRows({ onChange = () => {}, caption = "Codes", placeholder = "97112", fact = null } = {}) {
  const listId = nextId("calc-codes");
  const body = h("tbody");
  const datalist = h("datalist", { id: listId });

  function renumber() {
    [...body.children].forEach((row, i) => {
      row.querySelector("[name=code]").setAttribute("aria-label", `Code, line ${i + 1}`);
      row.querySelector("[name=minutes]").setAttribute("aria-label", `Minutes, line ${i + 1}`);
      if (fact) row.querySelector("[name=fact]").setAttribute("aria-label", `${fact.label}, line ${i + 1}`);
      row.querySelector(".calc-remove").setAttribute("aria-label", `Remove line ${i + 1}`);
    });
  }

  function add(code = "", minutes = "", chosen = "") {
    const codeInput = h("input", {
      type: "text",
      name: "code",
      list: listId,
      // a phone's number pad: the codes are digits (a HCPCS code such as G0283 is
      // picked from the list the engine fills in)
      inputmode: "numeric",
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
    let factInput = null;
    if (fact) {
      factInput = h("select", { name: "fact" }, fact.options.map(([value, text]) => h("option", { value, text })));
      factInput.value = fact.options.some(([value]) => value === chosen) ? chosen : "";
    }
    const row = h(
      "tr",
      { class: "calc-row" },
      h("td", {}, codeInput),
      h("td", {}, minutesInput),
      factInput ? h("td", {}, factInput) : null,
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

  function set(rows) {
    body.replaceChildren();
    for (const [code, minutes, chosen] of rows) add(code, minutes, chosen);
    if (!body.children.length) add();
  }

  /** The non-empty rows as [code, minutes] text pairs ([code, minutes, fact] with `fact`). */
  function values() {
    return [...body.children]
      .map((row) => {
        const pair = [row.querySelector("[name=code]").value.trim(), row.querySelector("[name=minutes]").value.trim()];
        return fact ? [...pair, row.querySelector("[name=fact]").value] : pair;
      })
      .filter(([code, minutes]) => code || minutes);
  }

  /** The rows as the engine's JSON lines: [{code, minutes}] (text, as typed); a chosen
   * fact ("same-region") is sent as its field: {"same_region": true}. */
  function request() {
    return values().map(([code, minutes, chosen]) => (chosen ? { code, minutes, [chosen.replaceAll("-", "_")]: true } : { code, minutes }));
  }

  function fillCodes(codes) {
    datalist.replaceChildren(...codes.map((c) => h("option", { value: c.code, label: `${c.code} ${c.name}` })));
  }

  body.addEventListener("change", (event) => {
    if (["code", "minutes", "fact"].includes(event.target.name)) onChange();
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
          fact ? h("th", { scope: "col", text: fact.label }) : null,
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
