// Behaviour every page shares, without inline script (the Content-Security-Policy allows
// scripts from this site only): a <select data-autosubmit> submits its form when changed;
// a <form data-confirm="…"> asks before it is sent.
document.addEventListener("change", function (event) {
  var select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
// A table wider than its box scrolls inside its <div class="table-wrap"> (a draft's tables:
// .md-table): such a box takes the keyboard's focus (tabindex=0), to scroll without a mouse.
(function () {
  function mark() {
    document.querySelectorAll(".table-wrap, .md-table").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
