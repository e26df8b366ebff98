/* The hub dashboard's sections as tabs: one section shown at a time, the overview first.
 *
 * Runs after hub-charts.js, so every chart is drawn at its full width before its section is
 * hidden; a chart is resized when its section is shown again. The address's #fragment picks
 * the section (a tab's own, or any element inside one: the list's links end in
 * #table-tenants), so reloading, the back button and shared links keep the section.
 * Without JavaScript nothing is hidden: the sections follow one another under their headings.
 */
(function () {
  "use strict";
  var tabs = Array.prototype.slice.call(document.querySelectorAll(".hub-tabs a[data-section]"));
  if (!tabs.length) { return; }
  var panels = tabs.map(function (tab) { return document.getElementById("section-" + tab.dataset.section); });
  document.body.classList.add("hub-tabbed");

  function panelOf(id) {
    var element = id ? document.getElementById(id) : null;
    return element ? element.closest(".hub-panel") : null;
  }

  function show(panel) {
    panels.forEach(function (each, index) {
      var on = each === panel;
      each.hidden = !on;
      if (on) { tabs[index].setAttribute("aria-current", "true"); } else { tabs[index].removeAttribute("aria-current"); }
    });
    if (typeof echarts !== "undefined") {
      panel.querySelectorAll(".hub-chart").forEach(function (element) {
        var chart = echarts.getInstanceByDom(element);
        if (chart) { chart.resize(); }
      });
    }
  }

  function fromAddress() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var panel = panelOf(id) || panels[0];
    show(panel);
    if (id && id !== panel.id && document.getElementById(id)) { document.getElementById(id).scrollIntoView(); }
  }

  tabs.forEach(function (tab) {
    tab.addEventListener("click", function (event) {
      event.preventDefault();
      history.replaceState(null, "", tab.getAttribute("href"));
      show(document.getElementById("section-" + tab.dataset.section));
    });
  });
  window.addEventListener("hashchange", fromAddress);
  fromAddress();
}());
