// The update form: "引用上期" copies the department's previous accepted text into a field.
// An empty field takes the text; a field with typing keeps it and gets the text on a new
// line below (nothing typed is lost). Plain JavaScript, no library, no inline handlers.
(function () {
  "use strict";
  document.querySelectorAll("button.quote-previous").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.dataset.quoteInto);
      var text = (button.dataset.text || "").trim();
      if (!target || !text) { return; }
      var typed = target.value.replace(/\s+$/, "");
      if (typed.indexOf(text) === -1) {
        target.value = typed ? typed + "\n" + text : text;
        target.dispatchEvent(new Event("input", { bubbles: true }));
      }
      target.focus();
    });
  });
})();
