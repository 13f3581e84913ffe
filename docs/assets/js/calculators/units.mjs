// Minutes → units calculator. Every number shown comes from calc.api "units"; this file
// only builds the form, sends its text to the engine and renders the answer.
// Deep link: ?lines=97112:24,97110:23&method=cms&dos=2025-01-31 (the raw `lines` and `dos`
// text goes to the engine, which parses it, so a malformed or hostile link gets the
// engine's message, as text). Without dos: today in the browser's local time, shown.

import { copyButton, engineStatus, fieldMessage, h, keepInAddress, nextId, notice, resultArea, sourceList, textList, untilReady } from "./dom.mjs";
import { dateBlock, dosField } from "./dates.mjs";
import { codeRows, linkText, pageLink, rowsFromLink } from "./rows.mjs";
import "./preview.mjs"; // globalThis.calcUnitsPreview (also the page's head script)

const { lookUp, previewRequest, render: renderPreview } = globalThis.calcUnitsPreview;
// The preview table (tools/units_preview.py): in the page that was opened, as data in
// its head; after instant navigation from another page, fetched once for this tab.
const PREVIEW_URL = new URL("../../calc/units-preview.json", import.meta.url);
let previewTable = null; // this module outlives instant navigation
let previewLoaded; // the table once it is here (null: none), so a preview needs no wait

function loadPreviewTable() {
  if (!previewTable) {
    const data = document.getElementById("calc-units-preview");
    let inPage;
    try {
      inPage = data ? JSON.parse(data.textContent) : undefined;
    } catch {
      inPage = undefined;
    }
    previewTable = (inPage ? Promise.resolve(inPage) : fetch(PREVIEW_URL).then((r) => (r.ok ? r.json() : null)))
      .catch(() => null)
      .then((table) => (previewLoaded = table));
    if (inPage) previewLoaded = inPage;
  }
  return previewTable;
}

// What each method is for, beside the engine's name for it (the vocabulary's label).
const METHOD_USE = {
  cms: "Medicare and payers that follow CMS",
  "per-code": "each code charted on its own",
};

function renderResult(result) {
  if (result.error) {
    return [notice("failure", "Cannot calculate", result.error.message)];
  }
  const billed = result.lines.filter((line) => line.units > 0);
  const summary = billed.length
    ? billed.map((line) => `${line.code} × ${line.units}`).join(", ")
    : "nothing billable";
  const rows = result.lines.map((line) =>
    h(
      "tr",
      { dataset: { code: line.code } },
      h("td", { class: "calc-code" }, h("code", { text: line.code })),
      h("td", { text: line.name }),
      h("td", { class: "calc-num", text: line.timed ? `${line.minutes} min` : "untimed" }),
      h("td", { class: "calc-num calc-units", text: String(line.units) }),
    ),
  );
  const table = h(
    "table",
    {}, // no class: Material styles only plain tables
    h(
      "thead",
      {},
      h("tr", {}, h("th", { text: "Code" }), h("th", { text: "Service" }), h("th", { text: "Minutes" }), h("th", { text: "Units" })),
    ),
    h("tbody", {}, rows),
    h(
      "tfoot",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "row", text: "Total" }),
        h("td", { text: result.method_name }),
        h("td", { class: "calc-num", text: `${result.total_minutes} min timed` }),
        h("td", { class: "calc-num calc-total", text: String(result.total_units) }),
      ),
    ),
  );
  const parts = [
    ...dateBlock(result.date_of_service),
    h("p", { class: "calc-answer" }, "Bill: ", h("strong", { text: summary })),
    h("div", { class: "md-typeset__table" }, table),
  ];
  if (result.tie) {
    // in the order of the lines (JS objects put integer-like keys such as codes in numeric order)
    const alternatives = result.tie.alternatives.map((alt) =>
      result.lines
        .filter((line) => Object.hasOwn(alt, line.code))
        .map((line) => `${line.code} × ${alt[line.code]}`)
        .join(", "),
    );
    if (result.tie.more_alternatives) alternatives.push(`… and ${result.tie.more_alternatives} more`);
    parts.push(
      notice("info calc-tie", "Tie: more than one correct answer", result.tie.message, h("p", { text: "Equally correct:" }), textList(alternatives)),
    );
  }
  for (const warning of result.warnings) {
    parts.push(notice("warning", "Check this", h("p", { text: warning.message, dataset: { warning: warning.code } })));
  }
  parts.push(
    h("details", { class: "note calc-steps", open: true }, h("summary", { text: "How this was worked out" }), textList(result.steps, true)),
  );
  if (result.notes.length) parts.push(h("div", { class: "calc-notes" }, h("p", { text: "Notes:" }), textList(result.notes)));
  parts.push(h("div", { class: "calc-sources" }, h("p", { text: "Sources:" }), sourceList(result.sources, result.source_links)));
  return parts;
}

/** The preview of a single-code link's units, as nodes (null when there is none), or a
 * promise of them while the table is still on its way. */
function preview(request) {
  if (previewLoaded === undefined) return loadPreviewTable().then(() => preview(request));
  const found = lookUp(previewLoaded, request);
  return found ? [renderPreview(found)] : null;
}

// `link`: the page's query string as calculators/links.mjs read it (values normalised
// as the engine reads them; the method's names and labels come from the engine).
export function mount(el, engine, link) {
  const methodName = nextId("calc-method");
  const linkLines = link.get("lines");
  const linkMethod = link.get("method");
  const METHODS = link.choices("method").map(([value, label]) => [value, METHOD_USE[value] ? `${label}: ${METHOD_USE[value]}` : label]);
  const dos = dosField(link.get("dos"), () => calculate());
  const rows = codeRows({ onChange: () => calculate(), caption: "Codes and minutes of the visit" });
  const codesMessage = fieldMessage();
  loadPreviewTable();

  function method() {
    const checked = form.querySelector(`input[name="${methodName}"]:checked`);
    return checked ? checked.value : "cms";
  }

  const methods = h(
    "fieldset",
    { class: "calc-methods" },
    h("legend", { text: "Method" }),
    METHODS.map(([value, label]) =>
      h(
        "label",
        {},
        h("input", { type: "radio", name: methodName, value, checked: value === (linkMethod || "cms"), onchange: () => calculate() }),
        ` ${label}`,
      ),
    ),
  );
  const form = h(
    "form",
    { class: "calc-form", novalidate: true, onsubmit: (event) => (event.preventDefault(), button.press(submit)) },
    dos.field,
    methods,
    rows.element,
    codesMessage.element,
    h(
      "p",
      { class: "calc-actions" },
      h("button", { type: "submit", class: "md-button md-button--primary calc-submit", text: "Calculate" }),
      " ",
      copyButton("Copy link", formLink),
    ),
  );

  const result = resultArea(engine, "units", renderResult);
  // every question carries the date of service; a bad date's message goes beside its field
  const show = (request, preview) =>
    result.show({ ...request, dos: dos.value() }, preview).then((answer) => answer && dos.showAnswer(answer));
  const button = untilReady(result, "The units will be worked out");

  function formLink(inAddress = false) {
    const date = inAddress ? dos.addressValue() : dos.value();
    return pageLink({ lines: linkText(rows.values()), method: method(), dos: date });
  }

  // a field changed: answer once there is a code, say nothing while it is being filled
  function calculate() {
    if (!rows.values().length) return;
    codesMessage.clear();
    show({ lines: rows.request(), method: method() });
    keepInAddress(formLink(true));
  }

  // "Calculate": never silent. Before the engine is ready the click waits for it; an
  // empty form gets a message beside the codes, and the focus goes there.
  function submit() {
    if (!rows.values().length) {
      codesMessage.show("Enter at least one code of the visit.", rows.element.querySelector("[name=code]"));
      return;
    }
    calculate();
  }

  rows.set(linkLines === null ? [["97112", ""]] : rowsFromLink(linkLines));
  const status = engineStatus(engine, () => {
    engine.call("codes", {}).then((answer) => answer.error || rows.fillCodes(answer.codes));
    button.ready();
  }, () => button.failed());
  el.replaceChildren(form, status, result.element);
  el.classList.add("calc-mounted");

  if (linkLines !== null || linkMethod !== null) {
    const request = { lines: linkLines === null ? "" : linkLines };
    if (linkMethod !== null) request.method = linkMethod;
    // a single code with its minutes is previewed from the build-time table while Python loads
    const asked = engine.currentStatus().state === "ready" ? null : previewRequest(linkLines, linkMethod);
    show(request, asked && preview(asked)); // the link's own text, parsed by the engine
  }
}
