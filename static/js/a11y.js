// Keyboard and screen-reader aids. A static file: the Content-Security-Policy allows no
// inline script. A form that came back with errors shows a summary at the top
// (templates/includes/error_summary.html): move the focus there so it is read first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
