// Claim builder. calc.api "claim" decides every unit and modifier; this file builds the
// form, sends its text to the engine and shows the claim lines the engine wrote.
// Deep link: ?payer=bcbsnc&lines=98941,97112:23:same-region,97140:10 (a therapy line's
// own facts after its minutes; optional provider=dc|pt, phase=initial|ongoing,
// same_region=1 and separate_encounter=1 for every therapy line, modifier_style=59|x,
// method=cms|per-code, and for Medicare care=maintenance, cmt_abn=1, voluntary_abn=1,
// abn=1 for both; dos=YYYY-MM-DD, the date of service, else today in the browser's
// local time, shown). calculators/links.mjs reads the link as the engine does; a value the
// engine refuses goes to it as text, so a malformed or hostile link gets its message.

import {
  badge,
  copyButton,
  engineStatus,
  fieldMessage,
  h,
  keepInAddress,
  nextId,
  notice,
  resultArea,
  sourceList,
  sourcedNotice,
  textList,
  untilReady,
} from "./dom.mjs";
import { dateBlock, dosField } from "./dates.mjs";
import { codeRows, linkText, pageLink, rowsFromLink } from "./rows.mjs";

// The choices' names and labels are the engine's (calculators/links.mjs reads them from
// its vocabulary); only what an empty choice means is said here.
const NOT_STATED = ["", "Not stated"];
const PAYERS_USUAL = ["", "The payer's usual"];
// a therapy line's relation to the CMT: no fact, or one of the engine's per-line facts
const NO_LINE_FACT = ["", "Different region (or no CMT)"];
// the modifier glossary page, from this page (calculators/claim/)
const GLOSSARY = "../../modifiers/";

/** A line as the claim writes it, each modifier a link to its glossary entry. */
function lineCode(line, glossary) {
  const parts = [line.code];
  for (const modifier of line.modifiers) {
    const target = glossary[modifier];
    parts.push("-", target ? h("a", { href: `${GLOSSARY}#${target}`, title: `What ${modifier} means`, text: modifier }) : modifier);
  }
  parts.push(` × ${line.units}`);
  return h("code", { class: "calc-claim-line" }, parts);
}

/** Under a line: what to confirm (each with its mark), and the warnings about it. */
function lineMarks(line, warningIds) {
  const items = line.checks.map((check) => h("li", { class: "calc-line-check", dataset: { modifier: check.modifier || "" } }, badge(check.confidence), " ", check.action));
  const tags = warningIds.filter(({ warning }) => warning.lines.includes(line.code));
  if (tags.length) {
    items.push(h("li", { class: "calc-line-warnings" }, "See ", tags.map(({ id, n }, i) => [i ? ", " : "", h("a", { href: `#${id}`, text: `warning ${n}` })])));
  }
  return items.length ? h("ul", { class: "calc-line-marks" }, items) : null;
}

function renderResult(result) {
  if (result.error) return [notice("failure", "Cannot build the claim", result.error.message)];
  const parts = [...dateBlock(result.date_of_service)];
  // a warning that only repeats why a code was left off is said once, in "Left off the claim"
  const leftOff = new Set(result.not_billed.map((item) => item.reason));
  const warningIds = result.warnings
    .filter((warning) => !leftOff.has(warning.message))
    .map((warning, i) => ({ id: nextId("calc-warning"), warning, n: i + 1 }));
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
            lineCode(line, result.glossary || {}),
            " ",
            h("span", { class: "calc-line-name", text: line.name }),
            line.excluded ? h("strong", { class: "calc-excluded", text: " (excluded by this payer: expect a denial)" }) : null,
            line.confidence !== "high" ? [" ", badge(line.confidence)] : null,
            lineMarks(line, warningIds),
          ),
        ),
      ),
      // the engine writes each format (claim answer "copy"): nothing is re-typed here
      h(
        "p",
        { class: "calc-copy-formats" },
        copyButton("Copy for the PM system", () => result.copy.plain),
        " ",
        copyButton("Copy tab-separated", () => result.copy.tab),
        " ",
        copyButton("Copy as shown", () => result.copy.readable),
      ),
      h("p", { class: "calc-hint", text: "For the PM system: one line per code, like 97112 59 GP 2 (code, modifiers, units). Tab-separated: code, four modifier columns, units, for a spreadsheet or a claim grid." }),
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
            h("li", {}, h("code", { text: item.code }), ": ", item.reason, " ", h("span", { class: "calc-source", text: `Source: ${item.source} ` }), badge(item.confidence)),
          ),
        ),
      ),
    );
  }
  for (const { id, warning, n } of warningIds) {
    const box = sourcedNotice("warning", `Check this (warning ${n}${warning.lines.length ? `: ${warning.lines.join(", ")}` : ""})`, warning, result.source_links);
    box.id = id;
    parts.push(box);
  }
  const noteBox = (note) => sourcedNotice(note.confidence === "verify" ? "question" : "note", "Note", note, result.source_links);
  // open questions and things to do are shown; background that explains a rule is folded
  const secondary = result.notes.filter((note) => note.level === "secondary");
  for (const note of result.notes) if (note.level !== "secondary") parts.push(noteBox(note));
  if (secondary.length) {
    parts.push(
      h("details", { class: "note calc-more-notes" }, h("summary", { text: `Background notes (${secondary.length})` }), secondary.map(noteBox)),
    );
  }
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
  parts.push(h("div", { class: "calc-sources" }, h("p", { text: "Sources:" }), sourceList(result.sources, result.source_links)));
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

/** A fieldset of [checkbox, label text] pairs, one per line. */
function checkboxes(legend, boxes) {
  return h(
    "fieldset",
    { class: "calc-choice" },
    h("legend", { text: legend }),
    boxes.map(([box, text], i) => [i ? h("br") : null, h("label", {}, box, ` ${text}`)]),
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
  const message = fieldMessage();
  return { el, message, field: h("p", { class: "calc-field" }, h("label", { for: id, text: `${label} ` }), el, " ", message.element) };
}

// `params`: the page's query string as calculators/links.mjs read it (values normalised
// as the engine reads them), so the form shows what the engine computes with.
export function mount(el, engine, params) {
  const link = params.request();
  const PROVIDERS = params.choices("provider");
  const PHASES = [NOT_STATED, ...params.choices("phase")];
  const STYLES = [PAYERS_USUAL, ...params.choices("modifier_style")];
  const LINE_FACT = { label: "Relation to the CMT", options: [NO_LINE_FACT, ...params.choices("lines")] };
  const FACT_WORDS = LINE_FACT.options.map(([value]) => value).filter(Boolean);
  const rows = codeRows({ onChange: () => calculate(), caption: "Codes and minutes of the visit", placeholder: "98941", fact: LINE_FACT });
  const codesMessage = fieldMessage();
  const providerName = nextId("calc-provider");
  const dos = dosField(link.dos, () => calculate());

  // the payer list comes from the engine; until then, the link's payer (as text) stands in
  const payer = select("Payer", [[link.payer || "", link.payer || "Loading payers…"]], link.payer || "", () => (offerMethods(), calculate()));
  const phase = select("Phase of care", PHASES, PHASES.some(([v]) => v === link.phase) ? link.phase : "", () => calculate());
  const style = select("Modifier style", STYLES, STYLES.some(([v]) => v === link.modifier_style) ? link.modifier_style : "", () => calculate());
  // the units methods the chosen payer allows (from the engine); hidden when it allows one
  const method = select("Units method", [[link.method || "", link.method || "The payer's usual"]], link.method || "", () => calculate());
  method.field.hidden = !link.method;
  let payerList = [];
  function offerMethods() {
    const profile = payerList.find((p) => p.id === payer.el.value);
    const allowed = profile ? profile.units_methods : [];
    const before = method.el.value;
    method.el.replaceChildren(
      h("option", { value: "", text: profile ? `The payer's usual (${profile.units_method_name})` : "The payer's usual" }),
      ...allowed.map((id) => h("option", { value: id, text: profile.units_method_names[id] })),
    );
    method.el.value = allowed.includes(before) ? before : "";
    method.field.hidden = allowed.length < 2;
  }
  const checkbox = (name, on) => {
    const box = h("input", { type: "checkbox", name, onchange: () => calculate() });
    box.checked = on;
    return box;
  };
  const linkSays = (name) => params.flag(name);
  const sameRegion = checkbox("same_region", linkSays("same_region"));
  const separateEncounter = checkbox("separate_encounter", linkSays("separate_encounter"));
  const maintenance = checkbox("care", String(link.care || "").toLowerCase() === "maintenance");
  // abn=1 in a link is the shorthand for both notices
  const cmtAbn = checkbox("cmt_abn", linkSays("cmt_abn") || linkSays("abn"));
  const voluntaryAbn = checkbox("voluntary_abn", linkSays("voluntary_abn") || linkSays("abn"));

  function provider() {
    const checked = form.querySelector(`input[name="${providerName}"]:checked`);
    return checked ? checked.value : "dc";
  }

  function formRequest() {
    const request = { payer: payer.el.value, lines: rows.request(), provider: provider(), same_region: sameRegion.checked, dos: dos.value() };
    if (separateEncounter.checked) request.separate_encounter = true;
    if (maintenance.checked) request.care = "maintenance";
    if (cmtAbn.checked) request.cmt_abn = true;
    if (voluntaryAbn.checked) request.voluntary_abn = true;
    if (phase.el.value) request.phase = phase.el.value;
    if (style.el.value) request.modifier_style = style.el.value;
    if (method.el.value && !method.field.hidden) request.method = method.el.value;
    return request;
  }

  function formLink(inAddress = false) {
    return pageLink({
      payer: payer.el.value,
      lines: linkText(rows.values()),
      provider: provider() === "dc" ? "" : provider(),
      phase: phase.el.value,
      same_region: sameRegion.checked ? "1" : "",
      separate_encounter: separateEncounter.checked ? "1" : "",
      modifier_style: style.el.value,
      method: method.field.hidden ? "" : method.el.value,
      care: maintenance.checked ? "maintenance" : "",
      cmt_abn: cmtAbn.checked ? "1" : "",
      voluntary_abn: voluntaryAbn.checked ? "1" : "",
      dos: inAddress ? dos.addressValue() : dos.value(),
    });
  }

  const form = h(
    "form",
    { class: "calc-form", novalidate: true, onsubmit: (event) => (event.preventDefault(), button.press(submit)) },
    dos.field,
    payer.field,
    radios("Provider", providerName, PROVIDERS, PROVIDERS.some(([v]) => v === link.provider) ? link.provider : "dc", () => calculate()),
    phase.field,
    style.field,
    method.field,
    checkboxes("Medicare only", [
      [maintenance, "The CMT is maintenance care, not active treatment (GA / GZ instead of AT)"],
      [cmtAbn, "The patient signed the ABN for the maintenance CMT (GA instead of GZ)"],
      [voluntaryAbn, "The patient signed a voluntary ABN for the services Medicare excludes (GX beside GY)"],
    ]),
    rows.element,
    codesMessage.element,
    checkboxes("Every therapy line at once (instead of its own choice above)", [
      [sameRegion, "Every therapy treated the same body region as the manipulation (CMT), in the same encounter"],
      [separateEncounter, "Every therapy was done at a separate encounter from the CMT (XE in X style)"],
    ]),
    h(
      "p",
      { class: "calc-actions" },
      h("button", { type: "submit", class: "md-button md-button--primary calc-submit", text: "Build the claim" }),
      " ",
      copyButton("Copy link", formLink),
    ),
  );

  const result = resultArea(engine, "claim", renderResult);
  const show = (request) => result.show({ ...request, dos: dos.value() }).then((answer) => answer && dos.showAnswer(answer));

  // ready: the engine is, and the payer list is in the form
  const button = untilReady(result, "The claim will be built");

  function ask() {
    show(formRequest());
    keepInAddress(formLink(true));
  }

  // a field changed: answer when the form is complete, say nothing while it is being filled
  function calculate() {
    if (payer.el.value) payer.message.clear();
    if (rows.values().length) codesMessage.clear();
    if (!payer.el.value || !rows.values().length) return;
    ask();
  }

  // "Build the claim": never silent. Before the engine is ready the click waits for it;
  // a missing payer or code gets a message beside its field, and the focus goes there.
  function submit() {
    if (!payer.el.value) {
      payer.message.show("Choose the payer: the modifiers depend on it.", payer.el);
      return;
    }
    payer.message.clear();
    if (!rows.values().length) {
      codesMessage.show("Enter at least one code of the visit.", rows.element.querySelector("[name=code]"));
      return;
    }
    codesMessage.clear();
    ask();
  }

  function fillPayers(answer) {
    const options = answer.payers.map((p) => h("option", { value: p.id, text: p.name }));
    const wanted = link.payer || "";
    if (wanted && !answer.payers.some((p) => p.id === wanted)) {
      options.unshift(h("option", { value: wanted, text: wanted })); // as the link has it
    }
    if (!wanted) options.unshift(h("option", { value: "", text: "Choose the payer…" }));
    const before = payer.el.value;
    payer.el.replaceChildren(...options);
    payer.el.value = before;
    payerList = answer.payers;
    offerMethods();
  }

  rows.set(link.lines === undefined ? [["98941", ""], ["97112", ""]] : rowsFromLink(link.lines, FACT_WORDS));
  const status = engineStatus(engine, () => {
    engine.call("codes", {}).then((answer) => answer.error || rows.fillCodes(answer.codes));
    engine.call("payers", {}).then((answer) => {
      if (!answer.error) fillPayers(answer);
      button.ready();
    });
  }, () => button.failed());

  el.replaceChildren(form, status, result.element);
  el.classList.add("calc-mounted");

  if (Object.keys(link).length) show(link); // the link's own text, read by the engine
}
