// Loaded on every page (mkdocs.yml extra_javascript, type: module). It mounts each
// `<div class="calc-widget" data-calc="NAME">` and starts the engine only on pages that
// have one. Material's `document$` emits after every instant navigation, so widgets of
// the new page are mounted while this module, and the engine worker, stay alive.

import * as engine from "./engine.mjs";
import { notice } from "./calculators/dom.mjs";

// The widgets there are (an allow-list: data-calc picks one of these, nothing else).
const WIDGETS = {
  units: () => import("./calculators/units.mjs"),
  claim: () => import("./calculators/claim.mjs"),
  documentation: () => import("./calculators/documentation.mjs"),
  training: () => import("./calculators/training.mjs"),
  audit: () => import("./calculators/audit.mjs"),
};

// Once the engine is ready, the other calculators' code (a few kB) is loaded in an idle
// moment, so that the next calculator page in this tab needs no download at all.
let othersLoaded = false;
function loadOtherWidgets() {
  if (othersLoaded) return;
  othersLoaded = true;
  const unsubscribe = engine.subscribe((status) => {
    if (status.state !== "ready") return;
    queueMicrotask(() => unsubscribe());
    const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 200));
    // not the audit's: only its own page needs it
    idle(() => Object.entries(WIDGETS).forEach(([name, load]) => name !== "audit" && load().catch(() => {})));
  });
}

function mount(el, params) {
  if (el.dataset.calcMounted) return;
  el.dataset.calcMounted = "loading";
  const name = el.dataset.calc;
  if (!Object.hasOwn(WIDGETS, name)) {
    el.dataset.calcMounted = "unknown";
    el.replaceChildren(notice("failure", "Unknown calculator", `No calculator is called "${name}".`));
    return;
  }
  engine.start(); // before the widget's code arrives: the runtime download is the long pole
  // every calculator reads its link through the one reader (calculators/links.mjs)
  const link = import("./calculators/links.mjs").then((links) => links.readLink(params, name));
  Promise.all([WIDGETS[name](), link])
    .then(([widget, read]) => {
      widget.mount(el, engine, read);
      const ignored = read.notice();
      if (ignored) el.prepend(ignored);
      el.dataset.calcMounted = "ready";
      loadOtherWidgets();
    })
    .catch((err) => {
      console.error("[calc] widget failed", err);
      el.dataset.calcMounted = "failed";
      el.replaceChildren(
        notice("failure", "The calculator could not load", "Reload the page to try again. The rest of the page still works."),
      );
    });
}

// The page the widgets were mounted for: Material fetches a new page only when the
// path changes, so a link to this same page with other inputs (?lines=…), or Back to
// one, changes only the query. Then the widgets are mounted again with the new inputs.
let shown = { path: null, search: null };

// Material makes the page's links absolute when it loads the page, so its links to
// sections of this page (table of contents, ¶, "skip to content") carry the query the
// page was opened with. Once the query changes in place, point them at the new one, or
// following one would bring the old inputs back.
function retargetSectionLinks() {
  const here = window.location;
  for (const link of document.querySelectorAll("a[href*='#']")) {
    const url = new URL(link.href, here.href);
    if (url.origin === here.origin && url.pathname === here.pathname && url.search !== here.search) {
      url.search = here.search;
      link.href = url.href;
    }
  }
}

function addressShown() {
  shown = { path: window.location.pathname, search: window.location.search };
  retargetSectionLinks();
}

// A widget that keeps its own state in the address (history.replaceState: the training
// page's ?scenario=) says so with this event: that address is not a link to other inputs.
document.addEventListener("calc:address", addressShown);

// The widgets mounted for `shown`. Material fetches the page again on the first link
// followed within it (a table of contents entry, say) and swaps the content in: then
// the widgets on screen go back in, with what was typed and answered, instead of new ones.
let widgets = [];

function restore(found) {
  const fits =
    found.length > 0 &&
    found.length === widgets.length &&
    found.every((el, i) => el !== widgets[i] && !widgets[i].isConnected && !el.dataset.calcMounted && el.dataset.calc === widgets[i].dataset.calc);
  if (fits) found.forEach((el, i) => el.replaceWith(widgets[i]));
  return fits;
}

function mountAll(remount = false) {
  const samePage = shown.path === window.location.pathname && shown.search === window.location.search;
  addressShown();
  const found = [...document.querySelectorAll(".calc-widget[data-calc]")];
  if (!remount && samePage && restore(found)) return;
  const params = new URLSearchParams(window.location.search);
  for (const el of found) {
    if (remount) delete el.dataset.calcMounted;
    mount(el, params);
  }
  widgets = found;
}

// Material's instant navigation ignores a link to the same page with other inputs (it
// steps back in history instead), so a calculator page follows such links itself: new
// address, same document, widgets mounted again with the link's inputs.
function sameCalculatorPage(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!link || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href, window.location.href);
  const here = window.location;
  if (url.origin !== here.origin || url.pathname !== here.pathname || url.search === here.search) return;
  if (!document.querySelector(".calc-widget[data-calc]")) return;
  event.preventDefault();
  event.stopPropagation(); // before Material's own click handler on <body>
  window.history.pushState(null, "", url.href);
  mountAll(true);
}

document.addEventListener("click", sameCalculatorPage, true);

if (window.document$ && typeof window.document$.subscribe === "function") {
  window.document$.subscribe(() => mountAll());
  if (window.location$ && typeof window.location$.subscribe === "function") {
    // (read the address bar, not the emitted URL: Material may re-emit the previous URL)
    window.location$.subscribe(() => {
      const { pathname, search } = window.location;
      if (pathname === shown.path && search !== shown.search) mountAll(true);
    });
  }
} else if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => mountAll(), { once: true });
} else {
  mountAll();
}
