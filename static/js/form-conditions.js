/* Fields of a programme form shown only when another field has a given answer
 * (data-show-if-field / data-show-if-equals on the field's box). The server applies the same
 * rule on saving and drops a hidden field's answer, so without JavaScript saving shows them.
 */
(function () {
  "use strict";
  var form = document.querySelector("form");
  if (!form) { return; }
  function valueOf(name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio") { if (input.checked) { return input.value; } }
      else { return input.value; }
    }
    return "";
  }
  function apply() {
    form.querySelectorAll("[data-show-if-field]").forEach(function (box) {
      var controller = form.querySelector('[name="' + box.dataset.showIfField + '"]');
      var controllerBox = controller && controller.closest("[data-show-if-field]");
      var parentShown = !controllerBox || !controllerBox.hidden;
      box.hidden = !(parentShown && valueOf(box.dataset.showIfField) === box.dataset.showIfEquals);
    });
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
}());
