// The units calculator's preview: a single-code deep link (?lines=97112:38) answered from
// the table the engine computed when the site was built (tools/units_preview.py), shown
// while Python loads and replaced by the engine's own answer. No rule here: the table
// holds the engine's answers, this only looks one up and says it is a preview.
//
// Both a classic script and a module (no import or export): the units page's head loads
// it as a blocking classic script, so that a deep link's preview is drawn as soon as the
// parser has put the widget's place in the page, before the theme's scripts run; the
// table is then read from the page (<script type="application/json"
// id="calc-units-preview">, overrides/main.html). units.mjs imports it for the same
// functions: globalThis.calcUnitsPreview = {previewRequest, lookUp, render}.

(() => {
  /** The one code and its minutes a link asks about, or null when it asks anything else
   * (several codes, no minutes, a method the table lacks…: those wait for the engine). */
  function previewRequest(lines, method) {
    const match = /^(\d{5})[:=](0|[1-9]\d{0,3})$/.exec(lines === null || lines === undefined ? "" : String(lines));
    if (!match) return null;
    return { code: match[1], minutes: Number(match[2]), method: method === null || method === undefined ? "cms" : String(method) };
  }

  /** The table's answer to a previewRequest: {code, name, minutes, units, method,
   * methodName}, or null when the table does not hold it. */
  function lookUp(table, request) {
    if (!table || !request || typeof table.codes !== "object" || !Object.hasOwn(table.codes, request.code)) return null;
    const entry = table.codes[request.code];
    if (!Object.hasOwn(entry, request.method) || !Object.hasOwn(table.methods, request.method)) return null;
    if (!(request.minutes >= 0 && request.minutes <= table.max_minutes)) return null;
    const series = table.series[entry[request.method]];
    const run = series && series.find(([first, last]) => first <= request.minutes && request.minutes <= last);
    if (!run) return null;
    return {
      code: request.code,
      name: entry.name,
      minutes: request.minutes,
      units: run[2],
      method: request.method,
      methodName: table.methods[request.method],
    };
  }

  function element(tag, className, ...children) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    el.append(...children);
    return el;
  }

  /** The preview of a lookUp answer, labelled as such (text only, never HTML). */
  function render(found) {
    const box = element(
      "div",
      "calc-preview",
      element(
        "p",
        "calc-answer",
        element("span", "calc-preview-label", "Preview"),
        " Bill: ",
        element("strong", "", `${found.code} × ${found.units}`),
      ),
      element(
        "p",
        "calc-preview-note",
        `${found.minutes} min of ${found.code} ${found.name}, ${found.methodName}: looked up in the table ` +
          "the engine computed when this site was built. The engine's full answer, with its steps, " +
          "warnings and sources, replaces this preview as soon as the engine has loaded.",
      ),
    );
    box.dataset.code = found.code;
    box.dataset.units = String(found.units);
    return box;
  }

  /** In the page's head: draw the opening link's preview into the widget's place as soon
   * as the parser has put it there (the widget, once mounted, shows the same preview). */
  function early(data) {
    let table;
    try {
      table = JSON.parse(data.textContent);
    } catch {
      return;
    }
    const params = new URLSearchParams(window.location.search);
    const found = lookUp(table, previewRequest(params.get("lines"), params.get("method")));
    if (!found) return;
    const place = () => {
      const el = document.querySelector(".calc-widget[data-calc=units]");
      if (!el) return false;
      if (!el.childElementCount && !el.dataset.calcMounted) {
        const area = element("div", "calc-result", render(found));
        area.setAttribute("aria-live", "polite");
        area.dataset.state = "pending";
        area.dataset.preview = "shown";
        el.append(area);
      }
      return true;
    };
    if (place()) return;
    const watch = new MutationObserver(() => place() && watch.disconnect());
    watch.observe(document.documentElement, { childList: true, subtree: true });
    document.addEventListener("DOMContentLoaded", () => watch.disconnect(), { once: true });
  }

  globalThis.calcUnitsPreview = Object.freeze({ previewRequest, lookUp, render });
  const data = typeof document === "object" && document.currentScript ? document.getElementById("calc-units-preview") : null;
  if (data) early(data);
})();
