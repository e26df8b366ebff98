/* Filter forms marked data-autosubmit apply as one types or picks (no Enter needed).
 *
 * A search box submits 400 ms after the last keystroke, a select at once; the page is an
 * ordinary GET, so without JavaScript the button still does the same.
 */
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    var timer = null;
    form.addEventListener("input", function (event) {
      if (event.target.type !== "search" && event.target.type !== "text") { return; }
      clearTimeout(timer);
      timer = setTimeout(function () { form.requestSubmit(); }, 400);
    });
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") { form.requestSubmit(); }
    });
  });
}());
