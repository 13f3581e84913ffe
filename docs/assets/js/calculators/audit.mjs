// Claim file audit. The file (dropped, picked or pasted) goes to the engine worker, which
// reads it in pieces and runs calc.audit on it; this file shows the progress, the summary
// and the findings calc.audit wrote. The file is never sent anywhere: no request carries
// it, and nothing is stored. The column and payer maps are kept in this module only, so
// they last as long as the tab.

import { badge, engineStatus, h, nextId, notice } from "./dom.mjs";

const SEVERITIES = [
  ["error", "Errors"],
  ["warning", "Warnings"],
  ["reminder", "Reminders"],
];
const PAGE_ROWS = 100; // findings drawn at a time: a long table is drawn in steps
// remembered for the tab only (never stored): the user's column names and payer spellings
const remembered = { columns: {}, payerMap: "" };

function select(label, options, onchange) {
  const id = nextId("calc-audit-filter");
  const el = h("select", { id, onchange }, options.map(([value, text]) => h("option", { value, text })));
  return { el, label: h("label", { for: id, text: label }) };
}

function summaryBlock(report) {
  const s = report.summary;
  const counts = SEVERITIES.map(([key, label]) => h("li", { dataset: { severity: key } }, h("strong", { text: String(s.findings[key]) }), ` ${label.toLowerCase()}`));
  return h(
    "div",
    { class: "calc-audit-summary" },
    h("p", { class: "calc-answer", text: s.text }),
    h("ul", { class: "calc-audit-counts" }, counts),
    s.ignored_columns.length ? h("p", { text: `Columns not used: ${s.ignored_columns.join(", ")}.` }) : null,
    s.findings_listed < Object.values(s.findings).reduce((a, b) => a + b, 0)
      ? h("p", { text: `Only the first ${s.findings_listed} findings are listed.` })
      : null,
  );
}

function findingRow(f, claimPage) {
  const link = new URL(`?${f.link}`, claimPage);
  return h(
    "tr",
    { dataset: { severity: f.severity, kind: f.kind, rule: f.rule, visit: f.visit_id } },
    h("td", {}, h("span", { class: `calc-severity calc-severity-${f.severity}`, text: f.severity })),
    h("td", { text: String(f.row) }),
    h("td", {}, h("code", { text: f.visit_id }), h("br"), f.patient_id, h("br"), f.dos),
    h("td", { text: f.payer }),
    h("td", {}, f.code ? h("code", { text: f.code }) : ""),
    h("td", {}, h("strong", { text: f.title }), h("br"), f.message),
    h("td", {}, h("code", { text: f.rule }), " ", badge(f.confidence), h("br"), h("span", { class: "calc-source", text: f.source })),
    h("td", {}, h("a", { href: link.href, class: "calc-audit-open", text: "Open in the claim builder" })),
  );
}

function problemsBlock(problems, total) {
  if (!problems.length) return null;
  return h(
    "details",
    { class: "warning calc-audit-problems", open: true },
    h("summary", { text: `Rows that could not be checked (${total})` }),
    h("p", { text: "The rest of the file was checked. Fix these rows and check the file again." }),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ["Row", "Column", "Problem"].map((t) => h("th", { scope: "col", text: t })))),
      h(
        "tbody",
        {},
        problems.map((p) =>
          h(
            "tr",
            { dataset: { code: p.code, row: String(p.row) } },
            h("td", { text: String(p.row) }),
            h("td", { text: p.column ? `${p.column} (${p.column_name})` : "" }),
            h("td", {}, p.message, " ", h("code", { text: p.code })),
          ),
        ),
      ),
    ),
  );
}

function findingsBlock(report, claimPage) {
  const findings = report.findings;
  if (!findings.length) return [h("p", { class: "calc-audit-clean", text: "No findings: every visit checked matches the rules." })];
  const distinct = (key) => [...new Set(findings.map((f) => f[key]))].sort();
  const severity = select("Severity", [["", "All"], ...SEVERITIES], () => draw());
  const rule = select("Rule", [["", "All"], ...distinct("rule").map((r) => [r, r])], () => draw());
  const payer = select("Payer", [["", "All"], ...distinct("payer").map((p) => [p, p])], () => draw());
  const body = h("tbody");
  const shown = h("p", { class: "calc-audit-shown", role: "status" });
  const more = h("button", { type: "button", class: "md-button", text: `Show ${PAGE_ROWS} more`, onclick: () => drawMore() });
  let chosen = [];
  let drawn = 0;
  function drawMore() {
    body.append(...chosen.slice(drawn, drawn + PAGE_ROWS).map((f) => findingRow(f, claimPage)));
    drawn = Math.min(drawn + PAGE_ROWS, chosen.length);
    shown.textContent = `Showing ${drawn} of ${chosen.length} findings.`;
    more.hidden = drawn >= chosen.length;
  }
  function draw() {
    const want = { severity: severity.el.value, rule: rule.el.value, payer: payer.el.value };
    chosen = findings.filter((f) => Object.entries(want).every(([key, value]) => !value || f[key] === value));
    drawn = 0;
    body.replaceChildren();
    drawMore();
  }
  const table = h(
    "table",
    { class: "calc-audit-table" },
    h("caption", { text: "Findings, most serious first" }),
    h(
      "thead",
      {},
      h("tr", {}, ["Severity", "Row", "Visit, patient, date", "Payer", "Code", "Finding", "Rule and source", "Explanation"].map((t) => h("th", { scope: "col", text: t }))),
    ),
    body,
  );
  draw();
  return [
    h("div", { class: "calc-audit-filters" }, severity.label, severity.el, rule.label, rule.el, payer.label, payer.el),
    shown,
    h("div", { class: "calc-audit-scroll" }, table),
    more,
  ];
}

function downloadButton(csvText) {
  return h("button", {
    type: "button",
    class: "md-button md-button--primary calc-audit-download",
    text: "Download findings (CSV)",
    onclick: () => {
      // a blob: URL made here, in the page: the file is saved without any request
      const url = URL.createObjectURL(new Blob([csvText], { type: "text/csv;charset=utf-8" }));
      const a = h("a", { href: url, download: "claim-audit-findings.csv", hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  });
}

function columnMap(answer, onApply) {
  const fields = answer.columns.map((column) => {
    const id = nextId("calc-audit-col");
    const el = h(
      "select",
      { id, name: column },
      h("option", { value: "", text: answer.required.includes(column) ? "(choose)" : "(none)" }),
      answer.header.map((name) => h("option", { value: name, text: name, selected: remembered.columns[column] === name })),
    );
    return { column, el, row: h("p", {}, h("label", { for: id }, h("code", { text: column }), answer.required.includes(column) ? " (required)" : ""), " ", el) };
  });
  return h(
    "form",
    {
      class: "calc-audit-columns",
      onsubmit: (event) => {
        event.preventDefault();
        remembered.columns = Object.fromEntries(fields.filter((f) => f.el.value).map((f) => [f.column, f.el.value]));
        onApply();
      },
    },
    h("p", { text: "Which of your columns is which? (Remembered until you close this tab; nothing is stored.)" }),
    fields.map((f) => f.row),
    h("button", { type: "submit", class: "md-button md-button--primary", text: "Use these columns and check again" }),
  );
}

export function mount(el, engine) {
  const claimPage = new URL("../claim/", window.location.href);
  let source = null; // {file} or {text}: only in memory, only while the page is open
  let running = false;
  const fileId = nextId("calc-audit-file");
  const pasteId = nextId("calc-audit-paste");
  const payerId = nextId("calc-audit-payers");
  const fileInput = h("input", { id: fileId, type: "file", accept: ".csv,text/csv,text/plain", onchange: () => pick(fileInput.files[0]) });
  const paste = h("textarea", { id: pasteId, rows: "5", spellcheck: "false", class: "calc-audit-paste" });
  const payers = h("textarea", { id: payerId, rows: "3", spellcheck: "false", placeholder: "Blue Cross of NC = bcbsnc" });
  payers.value = remembered.payerMap;
  const chosen = h("p", { class: "calc-audit-chosen", role: "status" });
  const drop = h(
    "div",
    { class: "calc-audit-drop", dataset: { state: "idle" } },
    h("p", {}, "Drop a CSV file here, or ", h("label", { for: fileId, class: "calc-audit-pick", text: "choose a file" }), "."),
    fileInput,
    chosen,
  );
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.dataset.state = "over";
  });
  drop.addEventListener("dragleave", () => (drop.dataset.state = "idle"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.dataset.state = "idle";
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) pick(file);
  });
  const bar = h("progress", { max: "1", value: "0", "aria-label": "Audit progress" });
  const progressText = h("span", { class: "calc-status-text" });
  const progress = h("div", { class: "calc-audit-progress", role: "status", "aria-live": "polite", hidden: true }, bar, " ", progressText);
  const result = h("div", { class: "calc-result", "aria-live": "polite", dataset: { state: "empty" } });
  const run = h("button", { type: "submit", class: "md-button md-button--primary", text: "Check the file" });

  function pick(file) {
    source = { file };
    paste.value = "";
    chosen.textContent = `${file.name} (${Math.max(1, Math.round(file.size / 1024)).toLocaleString()} kB) is ready: press "Check the file".`;
  }

  async function check() {
    if (running) return;
    if (paste.value.trim()) source = { text: paste.value };
    if (!source) {
      result.dataset.state = "error";
      result.replaceChildren(notice("warning", "No file yet", "Drop a file, choose one, or paste CSV text first."));
      return;
    }
    running = true;
    run.disabled = true;
    remembered.payerMap = payers.value;
    progress.hidden = false;
    bar.value = 0;
    progressText.textContent = "Reading the file…";
    result.dataset.state = "pending";
    result.replaceChildren();
    const started = performance.now();
    const answer = await engine.audit(source, { payer_map: payers.value, columns: remembered.columns }, (p) => {
      bar.max = Math.max(1, p.total);
      bar.value = p.done;
      progressText.textContent = p.again
        ? "Reading the file again, for the visits whose rows are apart in it…"
        : `${p.lines.toLocaleString()} lines, ${p.visits.toLocaleString()} visits read; ${p.findings.toLocaleString()} findings so far.`;
    });
    running = false;
    run.disabled = false;
    progress.hidden = true;
    const answered = performance.now();
    show(answer);
    result.dataset.ms = String(Math.round(performance.now() - started));
    result.dataset.renderMs = String(Math.round(performance.now() - answered)); // for the bench
  }

  function show(answer) {
    if (answer.error) {
      result.dataset.state = "error";
      result.dataset.error = answer.error.code;
      result.replaceChildren(
        notice("failure", "The file could not be checked", answer.error.message),
        answer.header && answer.columns ? columnMap(answer, () => check()) : null,
      );
      return;
    }
    const report = answer.report;
    result.dataset.state = "ok";
    delete result.dataset.error;
    // for tests and scripts: what was found, without the file
    result.dataset.summary = JSON.stringify(report.summary);
    result.dataset.findings = JSON.stringify(report.findings.map((f) => [f.visit_id, f.kind]));
    result.replaceChildren(
      summaryBlock(report),
      h("p", {}, downloadButton(answer.csv)),
      problemsBlock(report.problems, report.summary.problems),
      ...findingsBlock(report, claimPage),
    );
  }

  const form = h(
    "form",
    { class: "calc-form calc-audit-form", novalidate: true, onsubmit: (event) => (event.preventDefault(), check()) },
    drop,
    h("p", {}, h("label", { for: pasteId, text: "Or paste CSV text (header row first):" })),
    paste,
    h(
      "details",
      { class: "calc-audit-payer-map", open: remembered.payerMap ? true : undefined },
      h("summary", { text: "Payer names in your file" }),
      h("p", {}, h("label", { for: payerId, text: "Your spelling = the payer id (one a line), for payers your export names differently:" })),
      payers,
    ),
    h("p", {}, run),
  );
  el.replaceChildren(engineStatus(engine), form, progress, result);
  el.classList.add("calc-mounted");
}
