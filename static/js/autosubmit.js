// Submit a form when one of its <select data-autosubmit> changes (the language and
// period pickers). A static file: the Content-Security-Policy allows no inline handlers.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
