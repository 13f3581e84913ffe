// Claim builder. calc.api "claim" decides every unit and modifier; this file builds the
// form, sends its text to the engine and shows the claim lines the engine wrote.
// Deep link: ?payer=bcbsnc&lines=98941,97112:23 (optional provider=dc|pt,
// phase=initial|ongoing, same_region=1, separate_encounter=1, modifier_style=59|x,
// and for Medicare care=maintenance, abn=1). Each link value goes to
// the engine as text, so a malformed or hostile link gets the engine's message.

import { badge, copyButton, engineStatus, h, nextId, notice, resultArea, sourcedNotice, textList } from "./dom.mjs";
import { codeRows, linkText, pageLink, rowsFromLink } from "./rows.mjs";

const PROVIDERS = [
  ["dc", "Chiropractor (DC)"],
  ["pt", "Physical therapist (PT)"],
];
const PHASES = [
  ["", "Not stated"],
  ["initial", "Initial"],
  ["ongoing", "Ongoing"],
];
const STYLES = [
  ["", "The payer's usual"],
  ["59", "59"],
  ["x", "X modifiers (XS / XE)"],
];
// the link parameters the claim builder reads, as the engine names them
const LINK_FIELDS = [
  "payer", "lines", "provider", "phase", "same_region", "separate_encounter", "modifier_style", "care", "abn",
];
const YES = ["1", "true", "yes", "on"];

function claimText(result) {
  return result.lines.map((line) => line.display).join("\n");
}

function renderResult(result) {
  if (result.error) return [notice("failure", "Cannot build the claim", result.error.message)];
  const parts = [];
  parts.push(
    h(
      "p",
      { class: "calc-answer" },
      `${result.payer_name}: `,
      result.lines.length ? `${result.lines.length} claim line${result.lines.length === 1 ? "" : "s"}` : "nothing to bill",
      " ",
      badge(result.confidence),
    ),
  );
  if (result.lines.length) {
    parts.push(
      h(
        "ul",
        { class: "calc-claim-lines" },
        result.lines.map((line) =>
          h(
            "li",
            { dataset: { code: line.code, excluded: line.excluded ? "1" : "" } },
            h("code", { class: "calc-claim-line", text: line.display }),
            " ",
            h("span", { class: "calc-line-name", text: line.name }),
            line.excluded ? h("strong", { class: "calc-excluded", text: " (excluded by this payer: expect a denial)" }) : null,
            line.confidence !== "high" ? [" ", badge(line.confidence)] : null,
          ),
        ),
      ),
      h("p", {}, copyButton("Copy claim lines", () => claimText(result))),
    );
  }
  if (result.not_billed.length) {
    parts.push(
      notice(
        "warning calc-not-billed",
        "Left off the claim",
        h(
          "ul",
          {},
          result.not_billed.map((item) =>
            h("li", {}, h("code", { text: item.code }), ": ", item.reason, " ", badge(item.confidence)),
          ),
        ),
      ),
    );
  }
  for (const warning of result.warnings) parts.push(sourcedNotice("warning", "Check this", warning));
  for (const note of result.notes) parts.push(sourcedNotice(note.confidence === "verify" ? "question" : "note", "Note", note));
  parts.push(
    h("details", { class: "note calc-steps", open: true }, h("summary", { text: "How this was worked out" }), textList(result.steps, true)),
  );
  if (result.rules.length) {
    parts.push(
      h(
        "details",
        { class: "info calc-rules" },
        h("summary", { text: "Rules that applied" }),
        h(
          "ul",
          {},
          result.rules.map((rule) =>
            h("li", { dataset: { rule: rule.id } }, h("strong", { text: rule.title }), " ", badge(rule.confidence), h("br"), `Source: ${rule.source} (reviewed ${rule.reviewed})`),
          ),
        ),
      ),
    );
  }
  parts.push(h("div", { class: "calc-sources" }, h("p", { text: "Sources:" }), textList(result.sources)));
  return parts;
}

function radios(legend, name, options, chosen, onchange) {
  return h(
    "fieldset",
    { class: "calc-choice" },
    h("legend", { text: legend }),
    options.map(([value, label]) => h("label", {}, h("input", { type: "radio", name, value, checked: value === chosen, onchange }), ` ${label}`)),
  );
}

function select(label, options, chosen, onchange) {
  const id = nextId("calc-select");
  const el = h(
    "select",
    { id, onchange },
    options.map(([value, text]) => h("option", { value, text })),
  );
  el.value = chosen;
  return { el, field: h("p", { class: "calc-field" }, h("label", { for: id, text: `${label} ` }), el) };
}

export function mount(el, engine, params) {
  const link = Object.fromEntries(LINK_FIELDS.filter((k) => params.has(k)).map((k) => [k, params.get(k)]));
  const rows = codeRows({ onChange: () => calculate(), caption: "Codes and minutes of the visit", placeholder: "98941" });
  const providerName = nextId("calc-provider");

  // the payer list comes from the engine; until then, the link's payer (as text) stands in
  const payer = select("Payer", [[link.payer || "", link.payer || "Loading payers…"]], link.payer || "", () => calculate());
  const phase = select("Phase of care", PHASES, PHASES.some(([v]) => v === link.phase) ? link.phase : "", () => calculate());
  const style = select("Modifier style", STYLES, STYLES.some(([v]) => v === link.modifier_style) ? link.modifier_style : "", () => calculate());
  const checkbox = (name, on) => {
    const box = h("input", { type: "checkbox", name, onchange: () => calculate() });
    box.checked = on;
    return box;
  };
  const linkSays = (name) => YES.includes(String(link[name] || "").toLowerCase());
  const sameRegion = checkbox("same_region", linkSays("same_region"));
  const separateEncounter = checkbox("separate_encounter", linkSays("separate_encounter"));
  const maintenance = checkbox("care", String(link.care || "").toLowerCase() === "maintenance");
  const abn = checkbox("abn", linkSays("abn"));

  function provider() {
    const checked = form.querySelector(`input[name="${providerName}"]:checked`);
    return checked ? checked.value : "dc";
  }

  function formRequest() {
    const request = { payer: payer.el.value, lines: rows.request(), provider: provider(), same_region: sameRegion.checked };
    if (separateEncounter.checked) request.separate_encounter = true;
    if (maintenance.checked) request.care = "maintenance";
    if (abn.checked) request.abn = true;
    if (phase.el.value) request.phase = phase.el.value;
    if (style.el.value) request.modifier_style = style.el.value;
    return request;
  }

  function formLink() {
    return pageLink({
      payer: payer.el.value,
      lines: linkText(rows.values()),
      provider: provider() === "dc" ? "" : provider(),
      phase: phase.el.value,
      same_region: sameRegion.checked ? "1" : "",
      separate_encounter: separateEncounter.checked ? "1" : "",
      modifier_style: style.el.value,
      care: maintenance.checked ? "maintenance" : "",
      abn: abn.checked ? "1" : "",
    });
  }

  const form = h(
    "form",
    { class: "calc-form", novalidate: true, onsubmit: (event) => (event.preventDefault(), calculate()) },
    payer.field,
    radios("Provider", providerName, PROVIDERS, PROVIDERS.some(([v]) => v === link.provider) ? link.provider : "dc", () => calculate()),
    phase.field,
    h(
      "p",
      { class: "calc-field" },
      h("label", {}, sameRegion, " The therapy treated the same body region as the manipulation (CMT), in the same encounter"),
    ),
    h(
      "p",
      { class: "calc-field" },
      h("label", {}, separateEncounter, " The therapy was done at a separate encounter from the CMT (XE in X style)"),
    ),
    style.field,
    h(
      "fieldset",
      { class: "calc-choice" },
      h("legend", { text: "Medicare only" }),
      h("label", {}, maintenance, " The CMT is maintenance care, not active treatment (GA / GZ instead of AT)"),
      h("br"),
      h("label", {}, abn, " The patient signed an ABN (GA on maintenance CMT; GX on a voluntary ABN for excluded services)"),
    ),
    rows.element,
    h(
      "p",
      { class: "calc-actions" },
      h("button", { type: "submit", class: "md-button md-button--primary calc-submit", text: "Build the claim" }),
      " ",
      copyButton("Copy link", formLink),
    ),
  );

  const result = resultArea(engine, "claim", renderResult);
  const show = result.show;

  function calculate() {
    if (!payer.el.value || !rows.values().length) return;
    show(formRequest());
  }

  rows.set(link.lines === undefined ? [["98941", ""], ["97112", ""]] : rowsFromLink(link.lines));
  const status = engineStatus(engine, () => {
    engine.call("codes", {}).then((answer) => answer.error || rows.fillCodes(answer.codes));
    engine.call("payers", {}).then((answer) => {
      if (answer.error) return;
      const options = answer.payers.map((p) => h("option", { value: p.id, text: p.name }));
      const wanted = link.payer || "";
      if (wanted && !answer.payers.some((p) => p.id === wanted)) {
        options.unshift(h("option", { value: wanted, text: wanted })); // as the link has it
      }
      if (!wanted) options.unshift(h("option", { value: "", text: "Choose the payer…" }));
      const before = payer.el.value;
      payer.el.replaceChildren(...options);
      payer.el.value = before;
    });
  });
  el.replaceChildren(form, status, result.element);
  el.classList.add("calc-mounted");

  if (Object.keys(link).length) show(link); // the link's own text, read by the engine
}
