// The update form: quote a supporting unit's input into the lead's fields, and warn
// before leaving the page with unsaved typing. Plain JavaScript, no library.
(function () {
  "use strict";
  var form = document.getElementById("update-form");
  if (!form) { return; }

  // "引用": append each non-empty field of the input, prefixed by the unit's name.
  document.querySelectorAll("button.quote").forEach(function (button) {
    button.addEventListener("click", function () {
      ["work_done", "next_steps", "problems"].forEach(function (field) {
        var text = (button.dataset[field] || "").trim();
        var target = document.getElementById("id_" + field);
        if (!text || !target) { return; }
        var line = button.dataset.unit + "：" + text;
        target.value = target.value.trim() ? target.value.replace(/\s+$/, "") + "\n" + line : line;
        target.dispatchEvent(new Event("input", { bubbles: true }));
      });
      var box = document.querySelector("input[name=drawn_from][value='" + button.dataset.id + "']");
      if (box) { box.checked = true; }
    });
  });

  // Typing is never lost silently: leaving (or deleting a file) asks first.
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
