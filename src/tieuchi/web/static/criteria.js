// The criteria matrix: the picked cell is marked; a detail that fails to load says so (the
// message, with {status}, is the #detail section's data-load-error).
document.addEventListener("click", function (event) {
  var picked = event.target.closest("#matrix td.cell, a[data-pick]");
  if (!picked) return;
  var cell = picked.matches("td.cell") ? picked : document.querySelector(
    '#matrix td.cell[data-unit="' + picked.dataset.pickUnit + '"][data-criterion="' + picked.dataset.pick + '"]');
  document.querySelectorAll("#matrix td.sel").forEach(function (c) { c.classList.remove("sel"); });
  if (cell) cell.classList.add("sel");
});
document.addEventListener("htmx:responseError", function (event) {
  var detail = document.getElementById("detail");
  if (!detail || event.detail.target !== detail) return;
  var message = document.createElement("p");
  message.className = "alert bad";
  message.textContent = detail.dataset.loadError.replace("{status}", event.detail.xhr.status);
  detail.replaceChildren(message);
});
