// Training: practice visits graded by the engine. calc.api "scenarios" gives the list,
// the story and the facts; calc.api "grade" marks the trainee's answer against the
// engine's own, with its steps and sources. This file only builds the form, sends what
// was typed and shows the marks: it knows no answer and no rule.
// Deep link: ?scenario=ID (the value goes to the engine as text, so an unknown or
// hostile id gets the engine's message, shown as text).
// The score lives in this module's memory for the tab's session: nothing is stored
// (no web storage, no cookie) and nothing is sent anywhere.

import { badge, copyButton, engineStatus, h, keepInAddress, nextId, notice, resultArea, sourcedNotice, textList } from "./dom.mjs";
import { query } from "./rows.mjs";

// What the trainee answers, per kind of scenario (the engine's "kind").
const KINDS = [
  ["units", "Units per code"],
  ["claim", "Bill the visit"],
  ["review", "Documentation review"],
  ["audit", "Claim file audit"],
];
const KIND_NAMES = Object.fromEntries(KINDS);
const TASKS = {
  units: "Enter the units each code gets. Enter 0, or tick “Not billed”, for a code that gets no unit.",
  claim:
    "Enter each claim line: the units, and the modifiers in the order you would put them on " +
    "the claim, separated by hyphens (like 59-GP; leave empty for none). Tick “Not billed” for " +
    "a code that does not go on the claim.",
  review: "Tick each checklist item the record is missing.",
  audit: "Tick each kind of finding the claim file audit reports for this file.",
};
// The engine's mark for a line or a checklist item, in words (never colour alone).
const MARKS = {
  right: "✓ Right",
  wrong: "✗ Wrong",
  missing: "✗ Missing",
  extra: "✗ Should not be billed",
  missed: "✗ Missed",
};
const REVIEW_MARKS = { right: "✓ Found", missed: "✗ Missed", extra: "✗ Not missing" };

// --- the session: in memory only, shared by every mount in this tab ------------------

// The first graded answer to each scenario: id → {correct, right, total}.
const firstTries = new Map();
let catalogue = null; // a promise of the engine's list (and the checklist), once per tab

function loadCatalogue(engine) {
  if (!catalogue) {
    catalogue = Promise.all([engine.call("scenarios", { answers: false }), engine.call("checklist", {})]).then(
      ([list, checklist]) => {
        if (list.error || checklist.error) catalogue = null; // try again on the next mount
        return { list, checklist };
      },
    );
  }
  return catalogue;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// --- the answer form -------------------------------------------------------------------

/** One row per code of the visit: units, modifiers (claim only) and "not billed". */
function lineRows(scenario) {
  const withModifiers = scenario.graded.includes("modifiers");
  const rows = scenario.codes.map((code) => {
    const units = h("input", {
      type: "number",
      name: "units",
      min: "0",
      max: "96",
      step: "1",
      inputmode: "numeric",
      autocomplete: "off",
      "aria-label": `Units for ${code.code}`,
    });
    const modifiers = withModifiers
      ? h("input", {
          type: "text",
          name: "modifiers",
          size: "10",
          autocomplete: "off",
          spellcheck: "false",
          autocapitalize: "characters",
          "aria-label": `Modifiers for ${code.code}`,
        })
      : null;
    const notBilled = h("input", {
      type: "checkbox",
      name: "not-billed",
      onchange: () => {
        units.disabled = notBilled.checked;
        if (modifiers) modifiers.disabled = notBilled.checked;
        if (notBilled.checked) units.value = "0";
        else if (units.value === "0") units.value = "";
      },
    });
    const row = h(
      "tr",
      { class: "calc-row", dataset: { code: code.code } },
      h("th", { scope: "row", class: "calc-code" }, h("code", { text: code.code })),
      h("td", { text: code.name }),
      h("td", { class: "calc-num", text: code.timed ? `${code.minutes} min` : "untimed" }),
      h("td", { dataset: { label: "Units" } }, units),
      modifiers ? h("td", { dataset: { label: "Modifiers" } }, modifiers) : null,
      h("td", {}, h("label", {}, notBilled, h("span", { class: "calc-offscreen", text: `${code.code} ` }), " Not billed")),
    );
    // the attempt's line: the text as typed (the engine reads and checks it)
    const read = () => {
      const line = { code: code.code };
      if (notBilled.checked) line.units = 0;
      else if (units.value.trim() !== "") line.units = units.value.trim();
      if (modifiers && !notBilled.checked && modifiers.value.trim()) line.modifiers = modifiers.value.trim();
      return line;
    };
    return { row, read };
  });
  const table = h(
    "table",
    { class: "calc-training-lines" },
    h("caption", { class: "calc-offscreen", text: "Your answer, per code of the visit" }),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col", text: "Code" }),
        h("th", { scope: "col", text: "Service" }),
        h("th", { scope: "col", text: "Minutes" }),
        h("th", { scope: "col", text: "Units" }),
        withModifiers ? h("th", { scope: "col", text: "Modifiers" }) : null,
        h("th", { scope: "col" }, h("span", { class: "calc-offscreen", text: "Not billed" })),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((r) => r.row),
    ),
  );
  return {
    element: h("div", { class: "md-typeset__table calc-training-table" }, table),
    attempt: () => ({ lines: rows.map((r) => r.read()) }),
  };
}

/** The checklist as checkboxes, by group: tick what the record is missing. */
function missingBoxes(checklist) {
  const boxes = [];
  const groups = checklist.groups
    .map((group) => {
      const items = checklist.items.filter((item) => item.group === group.id);
      if (!items.length) return null;
      return h(
        "fieldset",
        { class: "calc-choices" },
        h("legend", { text: group.title }),
        items.map((item) => {
          const box = h("input", { type: "checkbox", name: "missing", value: item.id });
          boxes.push(box);
          return h("label", { dataset: { item: item.id } }, box, ` ${item.text}`);
        }),
      );
    })
    .filter(Boolean);
  return {
    element: h("div", { class: "calc-training-checklist" }, groups),
    attempt: () => ({ missing: boxes.filter((b) => b.checked).map((b) => b.value) }),
  };
}

// --- the marks -----------------------------------------------------------------------

function ruleList(rules) {
  if (!rules || !rules.length) return null;
  return h(
    "ul",
    { class: "calc-training-rules" },
    rules.map((rule) =>
      h("li", { dataset: { rule: rule.id } }, h("strong", { text: rule.title }), " ", badge(rule.confidence), h("br"), h("span", { class: "calc-source", text: `Source: ${rule.source}` })),
    ),
  );
}

function lineMark(mark) {
  const name = mark.expected ? mark.expected.name : "";
  return h(
    "li",
    { class: "calc-mark", dataset: { code: mark.code, status: mark.status } },
    h("p", {}, h("span", { class: `calc-status-label calc-mark-${mark.right ? "right" : "wrong"}`, text: MARKS[mark.status] || mark.status }), " ", h("code", { text: mark.code }), name ? ` ${name}` : ""),
    h("p", { class: "calc-mark-message", text: mark.message }),
    mark.right ? null : h("p", { class: "calc-mark-got" }, "You entered: ", mark.got ? h("code", { text: mark.got.display }) : "not billed", "."),
    mark.notes.length ? textList(mark.notes) : null,
    mark.explanation.length || mark.rules.length
      ? h(
          "details",
          { class: "calc-mark-why" },
          h("summary", { text: "Why: the engine's steps and the rules" }),
          textList(mark.explanation, true),
          ruleList(mark.rules),
        )
      : null,
  );
}

function itemMark(mark) {
  return h(
    "li",
    { class: "calc-mark", dataset: { item: mark.id, status: mark.status } },
    h("p", {}, h("span", { class: `calc-status-label calc-mark-${mark.right ? "right" : "wrong"}`, text: REVIEW_MARKS[mark.status] || mark.status }), " ", mark.text),
    mark.detail ? h("p", { class: "calc-detail", text: mark.detail }) : null,
    h("p", { class: "calc-source", text: `Source: ${mark.source}` }),
  );
}

function renderGrade(result, rules) {
  if (result.error) return [notice("failure", "Cannot check this answer", result.error.message)];
  const { right, total } = result.score;
  const verdict = result.correct
    ? "All right: well done."
    : `Not quite: ${right} of ${plural(total, result.kind === "review" ? "mark" : "answer")} right.`;
  const parts = [h("p", { class: "calc-answer calc-verdict" }, h("strong", { text: verdict }))];
  if (result.lines.length) parts.push(h("ul", { class: "calc-marks" }, result.lines.map(lineMark)));
  if (result.items.length) parts.push(h("ul", { class: "calc-marks" }, result.items.map(itemMark)));
  if (result.tie) {
    parts.push(
      notice(
        "info",
        result.tie_alternative ? "A tie: your choice is equally correct" : "A tie",
        result.tie,
      ),
    );
  }
  for (const warning of result.warnings) parts.push(sourcedNotice("warning", "Also on this visit", warning));
  parts.push(
    notice(
      "tip calc-learning-point",
      "Learning point",
      result.learning_point,
      h("p", { class: "calc-source" }, `Source: ${result.source} `, badge(result.confidence)),
      rules.length ? h("p", { class: "calc-source", text: `Rules practised: ${rules.join("; ")}.` }) : null,
    ),
    h("details", { class: "note calc-steps" }, h("summary", { text: "All the engine's steps for this visit" }), textList(result.steps, true)),
    h("div", { class: "calc-sources" }, h("p", { text: "Sources:" }), textList(result.sources)),
  );
  return parts;
}

// --- the widget ------------------------------------------------------------------------

/** Put the scenario in the address bar (so a reload or a bookmark keeps it). */
function showAddress(id) {
  const url = new URL(window.location.href);
  url.search = query({ scenario: id });
  keepInAddress(url.href);
}

export function mount(el, engine, params) {
  const wanted = params.has("scenario") ? params.get("scenario") : null;
  let list = []; // the engine's scenarios (without answers)
  let tags = new Map();
  let checklist = null;
  let current = null; // the scenario on screen
  let opening = 0;

  const pickerId = nextId("calc-training-pick");
  const picker = h("select", { id: pickerId, disabled: true, onchange: () => picker.value && open(picker.value) });
  const score = h("p", { class: "calc-training-score", role: "status", dataset: { tried: "0", right: "0" } });
  const area = h("div", { class: "calc-training-scenario", dataset: { state: "empty" } });
  let result = null; // the grade of the scenario on screen

  function showScore() {
    const marks = [...firstTries.values()];
    const correct = marks.filter((m) => m.correct).length;
    score.dataset.tried = String(marks.length);
    score.dataset.right = String(correct);
    if (!marks.length) {
      score.textContent = "Score this session: no scenario answered yet. Only your first answer to each scenario counts.";
      return;
    }
    const answers = marks.reduce((n, m) => n + m.right, 0);
    const of = marks.reduce((n, m) => n + m.total, 0);
    score.textContent =
      `Score this session: ${correct} of ${plural(marks.length, "scenario")} right at the first try ` +
      `(${answers} of ${of} answers). Only your first answer to each scenario counts.`;
  }

  function neighbour(step) {
    const at = list.findIndex((s) => s.id === (current && current.id));
    return list[(at + step + list.length) % list.length];
  }

  function draw() {
    // a scenario not answered yet this session, if any is left
    const fresh = list.filter((s) => !firstTries.has(s.id) && s.id !== (current && current.id));
    const pool = fresh.length ? fresh : list.filter((s) => s.id !== (current && current.id));
    return pool[Math.floor(Math.random() * pool.length)] || list[0];
  }

  const heading = h("h3", { class: "calc-training-title", tabindex: "-1" });

  function render(scenario) {
    const codes = new Set(scenario.codes.map((c) => c.code));
    // the codes are in the answer table; the other facts (payer, provider, record) here
    const facts = scenario.facts.filter((f) => !codes.has(f.label));
    const form =
      scenario.kind === "review"
        ? missingBoxes(checklist)
        : scenario.kind === "audit"
          ? missingBoxes({
              groups: [{ id: "audit", title: "What the audit reports" }],
              items: scenario.choices.map((choice) => ({ ...choice, group: "audit" })),
            })
          : lineRows(scenario);
    const rules = scenario.tags.map((t) => tags.get(t) || t);
    result = resultArea(engine, "grade", (answer) => {
      count(scenario.id, answer);
      return renderGrade(answer, rules);
    });
    heading.textContent = scenario.title;
    area.dataset.scenario = scenario.id;
    area.dataset.kind = scenario.kind;
    area.dataset.state = "ok";
    area.replaceChildren(
      heading,
      h("p", { class: "calc-training-meta" }, `${KIND_NAMES[scenario.kind] || scenario.kind} · scenario `, h("code", { text: scenario.id }), " · ", badge(scenario.confidence)),
      h("p", { class: "calc-training-story", text: scenario.story }),
      facts.length
        ? h(
            "ul",
            { class: "calc-training-facts" },
            facts.map((f) => h("li", {}, h("strong", { text: `${f.label}: ` }), f.value)),
          )
        : null,
      h(
        "form",
        {
          class: "calc-form calc-training-form",
          novalidate: true,
          autocomplete: "off",
          onsubmit: (event) => {
            event.preventDefault();
            result.show({ scenario: scenario.id, attempt: form.attempt() });
          },
        },
        h("p", { class: "calc-training-task" }, h("strong", { text: "Your answer. " }), TASKS[scenario.kind] || ""),
        form.element,
        h(
          "p",
          { class: "calc-actions" },
          h("button", { type: "submit", class: "md-button md-button--primary calc-submit", text: "Check my answer" }),
          " ",
          copyButton("Copy link", () => {
            const url = new URL(window.location.href);
            url.hash = "";
            url.search = query({ scenario: scenario.id });
            return url.href;
          }),
        ),
      ),
      result.element,
      h(
        "p",
        { class: "calc-actions calc-training-next" },
        h("button", { type: "button", class: "md-button calc-next", text: "Next scenario", onclick: () => open(neighbour(1).id, true) }),
        " ",
        h("button", { type: "button", class: "md-button calc-random", text: "Random scenario", onclick: () => open(draw().id, true) }),
      ),
    );
  }

  // the first graded answer to a scenario counts in the session's score
  function count(id, answer) {
    if (answer.error || answer.scenario !== id || firstTries.has(id)) return;
    firstTries.set(id, { correct: answer.correct, right: answer.score.right, total: answer.score.total });
    showScore();
  }

  async function open(id, focus = false) {
    const ticket = ++opening;
    area.dataset.state = "pending";
    // the id as text: the engine says whether there is such a scenario
    const answer = await engine.call("scenarios", { scenario: id, answers: false });
    if (ticket !== opening) return; // another scenario was asked for since
    if (answer.error) {
      current = null;
      picker.value = "";
      area.dataset.state = "error";
      area.dataset.scenario = "";
      area.setAttribute("data-result", JSON.stringify(answer));
      area.replaceChildren(
        notice("failure", "This scenario cannot be opened", answer.error.message, "Choose a scenario from the list above, or draw one at random."),
      );
      return;
    }
    area.removeAttribute("data-result");
    current = answer.scenarios[0];
    picker.value = current.id;
    render(current);
    showAddress(current.id);
    if (focus) heading.focus();
  }

  const controls = h(
    "form",
    { class: "calc-form calc-training-picker", novalidate: true, onsubmit: (event) => event.preventDefault() },
    h(
      "p",
      { class: "calc-field" },
      h("label", { for: pickerId, text: "Scenario " }),
      picker,
      " or ",
      h("button", { type: "button", class: "md-button calc-random", text: "Random scenario", onclick: () => list.length && open(draw().id, true) }),
    ),
    score,
  );
  controls.hidden = true;

  const status = engineStatus(engine, () => {
    loadCatalogue(engine).then(({ list: answer, checklist: items }) => {
      const failed = answer.error || items.error;
      if (failed) {
        area.dataset.state = "error";
        area.replaceChildren(notice("failure", "The scenarios could not load", failed.message));
        return;
      }
      list = answer.scenarios;
      tags = new Map(answer.tags.map((t) => [t.id, t.title]));
      checklist = items;
      const groups = KINDS.map(([kind, label]) => {
        const mine = list.filter((s) => s.kind === kind);
        return mine.length ? h("optgroup", { label }, mine.map((s) => h("option", { value: s.id, text: s.title }))) : null;
      });
      picker.replaceChildren(h("option", { value: "", text: "Choose a scenario…" }), ...groups.filter(Boolean));
      picker.disabled = false;
      controls.hidden = false;
      showScore();
      open(wanted === null ? list[0].id : wanted);
    });
  });
  el.replaceChildren(status, controls, area);
  el.classList.add("calc-mounted");
}
