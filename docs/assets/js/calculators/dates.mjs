// The date of service on a calculator page: a field that starts at today's date in the
// browser's local time (shown, so no answer is silently dated) and the answer's date
// block. The engine reads and checks the date (bad_date); this file only carries text.

import { badge, h, nextId, notice, textList } from "./dom.mjs";

const pad = (n) => String(n).padStart(2, "0");

/** Today in the browser's local time, as YYYY-MM-DD (not UTC: a visit at 8 pm is today). */
export function todayLocal(now = new Date()) {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * The date-of-service field: {field, value(), addressValue(), showAnswer(answer)}. `linkValue` (the
 * link's dos=, as text) wins over today; onChange runs when the date is committed.
 * showAnswer puts a bad_date message beside the field, and takes it away otherwise.
 */
export function dosField(linkValue, onChange) {
  const id = nextId("calc-dos");
  const hintId = nextId("calc-dos-hint");
  const errorId = nextId("calc-dos-error");
  const input = h("input", {
    id,
    type: "text",
    name: "dos",
    inputmode: "numeric",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "YYYY-MM-DD",
    size: 11,
    maxlength: 40,
    "aria-describedby": `${hintId} ${errorId}`,
    onchange: () => (updateHint(), onChange()),
  });
  input.value = linkValue === null || linkValue === undefined ? todayLocal() : linkValue;
  const hint = h("span", { id: hintId, class: "calc-hint" });
  const error = h("span", { id: errorId, class: "calc-field-error", role: "alert", hidden: true });
  function updateHint() {
    hint.textContent = input.value.trim() === todayLocal() ? " today (your computer's date)" : " YYYY-MM-DD";
  }
  updateHint();
  const field = h(
    "p",
    { class: "calc-field calc-dos" },
    h("label", { for: id, text: "Date of service " }),
    input,
    hint,
    " ",
    error,
  );
  function showAnswer(answer) {
    const bad = answer && answer.error && answer.error.code === "bad_date";
    error.textContent = bad ? answer.error.message : "";
    error.hidden = !bad;
    if (bad) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  // The page's own address stays undated while the date is the default today of an
  // undated link (a link without dos means "today"); a copied link always names its date.
  const undated = linkValue === null || linkValue === undefined;
  const addressValue = () => (undated && input.value.trim() === todayLocal() ? "" : input.value.trim());
  return { field, input, value: () => input.value.trim(), addressValue, showAnswer };
}

/** The answer's date: the date used, the dated rules that applied, changes near it. */
export function dateBlock(block) {
  if (!block) return [];
  const parts = [h("p", { class: "calc-dos-statement", dataset: { dos: block.date } }, h("strong", { text: block.statement }))];
  const dated = block.applied.filter((a) => a.from || a.until);
  if (dated.length) {
    parts.push(
      h(
        "div",
        { class: "calc-dos-applied" },
        h("p", { text: "Dated rules applied:" }),
        h("ul", {}, dated.map((a) => h("li", {}, `${a.what} (${a.period}) `, badge(a.confidence)))),
      ),
    );
  }
  if (block.changes.length) {
    parts.push(h("div", { class: "calc-dos-changes" }, h("p", { text: "Rule changes near this date:" }), textList(block.changes.map((c) => c.said))));
  }
  for (const warning of block.warnings) parts.push(notice("warning calc-dos-warning", "Date of service", warning));
  return parts;
}
