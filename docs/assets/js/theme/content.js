// Material for MkDocs 9.8, partials/javascripts/content.html, moved out of the page so
// that the Content-Security-Policy allows no inline script. The same code, unminified:
// with linked content tabs, select the tabs the reader chose last; then open the tab
// the address's #anchor names. Instant navigation re-runs it for every new page.
if (document.currentScript && document.currentScript.hasAttribute("data-md-tabs-link")) {
  var tabs = __md_get("__tabs");
  if (Array.isArray(tabs)) {
    sets: for (var set of document.querySelectorAll(".tabbed-set")) {
      var labels = set.querySelector(".tabbed-labels");
      for (var tab of tabs) {
        for (var label of labels.getElementsByTagName("label")) {
          if (label.innerText.trim() === tab) {
            var input = document.getElementById(label.htmlFor);
            input.checked = true;
            continue sets;
          }
        }
      }
    }
  }
}
var target = document.getElementById(location.hash.slice(1));
if (target && target.name) target.checked = target.name.startsWith("__tabbed_");
