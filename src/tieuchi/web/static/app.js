// Behaviour every page shares, without inline script (the Content-Security-Policy allows
// scripts from this site only): a <form data-confirm="…"> asks before it is sent. A choice
// in a drop-down never reloads the page by itself (WCAG 3.2.2): its form has a button.
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

// Every table can be downloaded (web/pages/export.py renders the page again for the same user
// and reads the table off it): a "CSV" and an "Excel" link under each table of the page as
// served, naming the table by its id, else by its position among the page's tables. A table
// with data-export="no" has none.
document.addEventListener("DOMContentLoaded", function () {
  var page = location.pathname + location.search;
  document.querySelectorAll("table").forEach(function (table, index) {
    if (table.dataset.export === "no" || table.closest("[data-export='no']")) return;
    var which = table.id || String(index);
    var links = document.createElement("p");
    links.className = "export small";
    [["csv", "CSV"], ["xlsx", "Excel"]].forEach(function (format, n) {
      var link = document.createElement("a");
      link.href = "/export?page=" + encodeURIComponent(page) + "&table=" +
        encodeURIComponent(which) + "&format=" + format[0];
      link.textContent = "⤓ " + format[1];
      link.setAttribute("download", "");
      if (n) links.appendChild(document.createTextNode(" · "));
      links.appendChild(link);
    });
    var after = table.parentElement && table.parentElement.classList.contains("table-wrap")
      ? table.parentElement : table;
    after.insertAdjacentElement("afterend", links);
  });
});
