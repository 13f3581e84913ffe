// Documentation review. The form is built from the engine's own field list
// (calc.api "checklist"), and calc.api "review" judges every checklist item; this file
// only collects what was typed and shows the answer. Nothing is stored or sent: the
// engine runs in this tab, and no link ever carries the record (only its date of
// service, dos=, which is not patient data: the address keeps that one field).

import { dateBlock, dosField } from "./dates.mjs";
import { badge, copyButton, engineStatus, h, keepInAddress, nextId, notice, resultArea, sourceList, sourcedNotice, textList } from "./dom.mjs";
import { codeRows, pageLink } from "./rows.mjs";

const STATUS_LABELS = {
  met: "Met",
  missing: "Missing",
  warning: "Warning",
  not_applicable: "Not applicable",
  reminder: "Reminder",
};

/** One form control per engine field; read() gives its JSON value (undefined: not entered). */
function fieldControl(field, onChange) {
  const id = nextId(`calc-${field.name}`);
  const hint = field.hint ? h("span", { class: "calc-hint", id: `${id}-hint`, text: field.hint }) : null;
  const described = hint ? `${id}-hint` : null;
  const label = h("label", { for: id, text: field.label });
  if (field.kind === "choices") {
    const boxes = field.choices.map((choice) => h("input", { type: "checkbox", value: choice, onchange: onChange }));
    return {
      name: field.name,
      element: h(
        "fieldset",
        { class: "calc-field calc-choices", "aria-describedby": described },
        h("legend", { text: field.label }),
        boxes.map((box) => h("label", {}, box, ` ${box.value}`)),
        hint,
      ),
      read: () => {
        const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
        return chosen.length ? chosen : undefined;
      },
    };
  }
  if (field.kind === "yes-no") {
    const box = h("input", { type: "checkbox", id, onchange: onChange, "aria-describedby": described });
    return {
      name: field.name,
      // the box inside its label: the whole line is the touch target
      element: h("p", { class: "calc-field calc-yes-no" }, h("label", {}, box, ` ${field.label}`), hint ? [" ", hint] : null),
      read: () => (box.checked ? true : undefined),
    };
  }
  if (field.kind === "choice") {
    const sel = h(
      "select",
      { id, onchange: onChange, "aria-describedby": described },
      h("option", { value: "", text: "Not stated" }),
      field.choices.map((choice) => h("option", { value: choice, text: choice })),
    );
    return {
      name: field.name,
      element: h("p", { class: "calc-field" }, label, " ", sel, hint ? [" ", hint] : null),
      read: () => sel.value || undefined,
    };
  }
  if (field.kind === "codes") {
    const rows = codeRows({ onChange, caption: field.label, placeholder: "97110" });
    rows.set([]);
    return {
      name: field.name,
      rows,
      element: h("fieldset", { class: "calc-field calc-codes", "aria-describedby": described }, h("legend", { text: field.label }), rows.element, hint),
      read: () => (rows.values().length ? rows.request() : undefined),
    };
  }
  if (field.kind === "list") {
    const area = h("textarea", { id, rows: "3", cols: "40", onchange: onChange, "aria-describedby": described });
    return {
      name: field.name,
      element: h("p", { class: "calc-field" }, label, " ", h("span", { class: "calc-hint", text: "(one per line)" }), h("br"), area, hint ? [h("br"), hint] : null),
      // one entry per line, as typed: the engine trims and drops empty ones
      read: () => (area.value.trim() ? area.value.split("\n") : undefined),
    };
  }
  // text, and the numbers (count, units, minutes): sent as typed, the engine checks them
  const numeric = ["count", "units", "minutes"].includes(field.kind);
  const input = h("input", {
    type: "text",
    id,
    onchange: onChange,
    inputmode: numeric ? "numeric" : null,
    size: numeric ? "5" : "40",
    autocomplete: "off",
    "aria-describedby": described,
  });
  return {
    name: field.name,
    element: h("p", { class: "calc-field" }, label, " ", input, hint ? [" ", hint] : null),
    read: () => (input.value.trim() ? input.value : undefined),
  };
}

// What the result area says before anything is entered (the engine reviews no empty record).
const NOTHING_YET = "Enter what the visit note shows, then choose Review: the review lists what is missing first.";

function renderResult(result) {
  if (result.error && result.error.code === "empty_record") {
    return [notice("info calc-empty", "Nothing to review yet", result.error.message)];
  }
  if (result.error) return [notice("failure", "Cannot review", result.error.message)];
  const c = result.counts;
  const parts = [
    h(
      "p",
      { class: "calc-answer" },
      h("strong", { text: result.passed ? "Every required item is met." : "Not ready: see the missing items." }),
      ` Met ${c.met}, missing ${c.missing}, warnings ${c.warning}, not applicable ${c.not_applicable}, reminders ${c.reminder}.`,
    ),
  ];
  // the engine's missing items first, in its order: what to fix before the claim goes out
  const missing = result.items.filter((item) => item.status === "missing");
  if (missing.length) {
    parts.push(
      notice(
        "warning calc-missing",
        `Missing from the note (${missing.length})`,
        h(
          "ul",
          {},
          missing.map((item) => h("li", { dataset: { item: item.id } }, item.text, item.detail ? h("span", { class: "calc-detail", text: ` ${item.detail}` }) : null)),
        ),
      ),
    );
  }
  // the date of service after what is missing: the checklists are the same on every
  // date, but the answer names its date and warns outside the rule book's dates
  parts.push(...dateBlock(result.date_of_service));
  for (const warning of result.warnings) parts.push(sourcedNotice("warning", "Check this", warning));
  for (const group of result.groups) {
    const items = result.items.filter((item) => item.group === group.id);
    if (!items.length) continue;
    parts.push(
      h("h3", { text: group.title }),
      h(
        "ul",
        { class: "calc-checklist" },
        items.map((item) =>
          h(
            "li",
            { dataset: { item: item.id, status: item.status } },
            h("span", { class: `calc-status-label calc-status-${item.status}`, text: STATUS_LABELS[item.status] || item.status }),
            " ",
            item.text,
            item.detail ? h("br") : null,
            item.detail ? h("span", { class: "calc-detail", text: item.detail }) : null,
            h("br"),
            h("span", { class: "calc-source", text: `Source: ${item.source} ` }),
            badge(item.confidence),
          ),
        ),
      ),
    );
  }
  if (result.notes.length) parts.push(notice("note", "Notes", textList(result.notes)));
  parts.push(
    h("h3", { text: "Summary for the record" }),
    h("pre", { class: "calc-summary" }, h("code", { text: result.summary })),
    h("p", {}, copyButton("Copy summary", () => result.summary)),
    h("details", { class: "note calc-steps" }, h("summary", { text: "How this was worked out" }), textList(result.steps, true)),
    h("div", { class: "calc-sources" }, h("p", { text: "Sources:" }), sourceList(result.sources, result.source_links)),
  );
  return parts;
}

// `link`: the page's query string as calculators/links.mjs reads it: only dos (a
// record is never read from a link, nor written to one).
export function mount(el, engine, link) {
  const privacy = notice(
    "warning calc-privacy",
    "No patient identifiers",
    "Do not enter names, dates of birth, record numbers or any other patient identifier: the " +
      "review needs none. Nothing you enter is stored or sent anywhere; the review runs in " +
      "this browser tab and is gone when you leave the page.",
  );
  const formArea = h("div", { class: "calc-form-area" });
  const result = resultArea(engine, "review", renderResult);
  let controls = [];
  // the date of service: the address keeps it (and nothing else) as it changes
  const dos = dosField(link.get("dos"), () => {
    keepInAddress(pageLink({ dos: dos.addressValue() }));
    review();
  });

  function record() {
    const entered = {};
    for (const control of controls) {
      const value = control.read();
      if (value !== undefined) entered[control.name] = value;
    }
    return entered;
  }

  // submitted: the Review button (an empty record then moves focus to the first field)
  async function review(submitted = false) {
    const answer = await result.show({ ...record(), dos: dos.value() });
    dos.showAnswer(answer);
    if (submitted && answer && answer.error && answer.error.code === "empty_record" && controls.length) {
      const first = controls[0].element.querySelector("input, select, textarea");
      if (first) first.focus();
    }
  }

  const status = engineStatus(engine, () => {
    engine.call("checklist", {}).then((answer) => {
      if (answer.error) {
        formArea.replaceChildren(notice("failure", "The review form could not load", answer.error.message));
        return;
      }
      controls = answer.fields.map((field) => fieldControl(field, () => review()));
      engine.call("codes", {}).then((codes) => {
        if (codes.error) return;
        for (const control of controls) if (control.rows) control.rows.fillCodes(codes.codes);
      });
      const form = h(
        "form",
        { class: "calc-form", novalidate: true, autocomplete: "off", onsubmit: (event) => (event.preventDefault(), review(true)) },
        dos.field,
        controls.map((control) => control.element),
        h(
          "p",
          { class: "calc-actions" },
          h("button", { type: "submit", class: "md-button md-button--primary calc-submit", text: "Review" }),
          " ",
          h("button", { type: "reset", class: "md-button calc-clear", text: "Clear" }),
        ),
      );
      form.addEventListener("reset", () => {
        // "Clear" clears the record, not its date of service
        const date = dos.input.value;
        // after the browser has cleared the fields
        setTimeout(() => {
          dos.input.value = date;
          for (const control of controls) if (control.rows) control.rows.set([]);
          result.clear(h("p", { class: "calc-hint", text: NOTHING_YET }));
        });
      });
      formArea.replaceChildren(form);
      el.classList.add("calc-form-ready");
      result.clear(h("p", { class: "calc-hint", text: NOTHING_YET }));
    });
  });
  el.replaceChildren(privacy, status, formArea, result.element);
  el.classList.add("calc-mounted");
}
