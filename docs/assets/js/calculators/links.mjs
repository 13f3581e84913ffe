// The one reader of a calculator page's query string (?lines=97112:24&method=cms), for
// every calculator. The fields each calculator takes, the names a choice accepts and the
// yes/no words are the engine's (calc/vocabulary.py, written into the site at build time
// as assets/calc/vocabulary.json): nothing here is a rule of its own. Values are
// normalised exactly as the engine reads them (trimmed, lower-case names, yes/no words),
// so the form shows what the engine will compute with; a value the engine would refuse
// is passed on as it is, and the engine's message says why. A parameter the calculator
// does not take is not dropped in silence: notice() names it, with the field it was
// probably meant to be ("ignored: sameregion — did you mean same_region?").
//
//   const link = await readLink(new URLSearchParams(location.search), "claim");
//   link.get("modifier_style")  // "x" for ?modifier_style=X ; null when absent
//   link.flag("same_region")    // true for ?same_region=Yes
//   link.request()              // the fields present, as the engine's request
//   link.notice()               // a notice node naming ignored parameters, or null

import { h, notice } from "./dom.mjs";

const VOCABULARY_URL = new URL("../../calc/vocabulary.json", import.meta.url);
// Parameters the site itself reads from a page's address, not calculator inputs:
// Material's search highlight (?h=word, when a search result is followed) and the
// engine's start-up path for tests and support (?engine=boot, engine.mjs).
const SITE_PARAMS = new Set(["h", "engine"]);

let vocabularyLoaded = null; // one fetch per tab (this module outlives instant navigation)

/** The engine's vocabulary, or null when it cannot be had (links are then passed on as
 * they are, and the engine still checks them). */
export function vocabulary() {
  if (!vocabularyLoaded) {
    vocabularyLoaded = fetch(VOCABULARY_URL)
      .then((response) => (response.ok ? response.json() : null))
      .catch(() => null);
  }
  return vocabularyLoaded;
}

/** How many single-letter edits (insert, delete, change, swap two) turn a into b. */
function distance(a, b) {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}

/** The accepted name a mistyped one was probably meant to be, or null. */
export function suggestion(name, accepted) {
  const bare = (text) => text.toLowerCase().replace(/[^a-z0-9]/g, "");
  const same = accepted.find((field) => bare(field) === bare(name));
  if (same) return same;
  const limit = name.length <= 4 ? 1 : 2;
  let best = null;
  let bestDistance = limit + 1;
  for (const field of accepted) {
    const d = distance(name.toLowerCase(), field);
    if (d < bestDistance) [best, bestDistance] = [field, d];
  }
  return best;
}

/** A link value as the engine reads it (calc.inputs.choice / flag), or the text as it
 * is when the engine would refuse it (its message then says why). */
function normalise(spec, text, words) {
  const word = text.trim().toLowerCase();
  if (spec.kind === "flag") {
    if (words.yes.includes(word)) return true;
    if (words.no.includes(word)) return false;
    return text;
  }
  if (spec.kind === "choice") {
    if (!word && spec.default === null) return null; // "not stated": as if absent
    return spec.values.some((v) => v.value === word) ? word : text;
  }
  return text;
}

/** Read a page's query string for one calculator (its data-calc name). */
export async function readLink(params, calculator) {
  const words = await vocabulary();
  const fields = words && Object.hasOwn(words.links, calculator) ? words.links[calculator] : null;
  const values = new Map(); // field → normalised value (text, true/false)
  const ignored = []; // [{name, suggestion}]
  for (const [name, text] of params) {
    if (SITE_PARAMS.has(name) || values.has(name)) continue;
    if (fields === null) {
      values.set(name, text); // no vocabulary: as it is; the engine checks the fields
    } else if (Object.hasOwn(fields, name)) {
      const value = normalise(fields[name], text, words);
      if (value !== null) values.set(name, value);
    } else if (!ignored.some((item) => item.name === name)) {
      ignored.push({ name, suggestion: suggestion(name, Object.keys(fields)) });
    }
  }
  return {
    ignored,
    has: (name) => values.has(name),
    /** The value as text ("1"/"" for a yes/no the engine reads), or null when absent. */
    get: (name) => {
      if (!values.has(name)) return null;
      const value = values.get(name);
      return value === true ? "1" : value === false ? "" : value;
    },
    flag: (name) => values.get(name) === true,
    /** The fields present, for the engine: names normalised, yes/no as true/false. */
    request: () => Object.fromEntries(values),
    spec: (name) => (fields && Object.hasOwn(fields, name) ? fields[name] : null),
    /** [[value, label], ...] of a choice field (empty when the vocabulary is missing). */
    choices: (name) => (fields && fields[name] && fields[name].values ? fields[name].values.map((v) => [v.value, v.label]) : []),
    notice: () => ignoredNotice(ignored),
  };
}

/** A name from a link as a message shows it: cut short, and every control, direction,
 * invisible or unpaired character written as an escape (\u202e), as the engine's
 * messages do (calc.errors.shown), so a link cannot reorder or hide part of the notice. */
export function quoted(text, limit = 24) {
  const cut = [...String(text)];
  const shown = cut.length > limit ? cut.slice(0, limit).join("") + "…" : cut.join("");
  return shown.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Co}\p{Cn}]/gu, (ch) => {
    const code = ch.codePointAt(0).toString(16).padStart(4, "0");
    return code.length > 4 ? `\\U${code.padStart(8, "0")}` : `\\u${code}`;
  });
}

/** The visible notice naming the parameters a link held that this calculator ignored. */
function ignoredNotice(ignored) {
  if (!ignored.length) return null;
  return notice(
    "warning calc-link-ignored",
    "Part of this link was ignored",
    h(
      "ul",
      {},
      ignored.map((item) =>
        h(
          "li",
          { dataset: { ignored: item.name } },
          "ignored: ",
          h("code", { text: quoted(item.name) }),
          item.suggestion ? [" — did you mean ", h("code", { text: item.suggestion }), "?"] : " — this calculator does not take it.",
        ),
      ),
    ),
    "The answer below does not use it. Check the link, or set the value in the form.",
  );
}
