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
