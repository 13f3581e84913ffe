// Material for MkDocs 9.8, partials/javascripts/base.html, moved out of the page so that
// the Content-Security-Policy allows no inline script (overrides/partials/javascripts/).
// The same code; the base URL comes from the tag's data-md-scope, as the template wrote it.
var __md_scope = new URL(document.currentScript.dataset.mdScope, location);
var __md_hash = (e) => [...e].reduce((e, _) => (e << 5) - e + _.charCodeAt(0), 0);
var __md_get = (e, _ = localStorage, t = __md_scope) => JSON.parse(_.getItem(t.pathname + "." + e));
var __md_set = (e, _, t = localStorage, a = __md_scope) => {
  try {
    t.setItem(a.pathname + "." + e, JSON.stringify(_));
  } catch (e) {}
};
