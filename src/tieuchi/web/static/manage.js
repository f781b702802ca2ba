// The total of an allocation as it is typed (the server checks it again on saving); the
// form carries the target, its decimals, its allocation rule (exactly, at_least, at_most)
// and the word shown when the total keeps it.
(function () {
  function parseVi(text) {
    text = text.trim();
    if (!text) return 0;
    if (!/^[+-]?[0-9.,]+$/.test(text)) return NaN;
    return Number(text.replace(/\./g, "").replace(",", "."));
  }
  document.querySelectorAll("form.allocate").forEach(function (form) {
    var target = Number(form.dataset.target), decimals = Number(form.dataset.decimals);
    var out = form.querySelector("output.total"), check = form.querySelector(".check");
    function update() {
      var total = 0;
      form.querySelectorAll("tbody input").forEach(function (input) { total += parseVi(input.value); });
      if (isNaN(total)) { out.textContent = "?"; check.textContent = ""; out.className = "total bad"; return; }
      out.textContent = total.toLocaleString("vi-VN", {maximumFractionDigits: Math.max(decimals, 6)});
      // the target's allocation rule (tieuchi.domain.allocation.holds decides on saving)
      var slack = 0.5 * Math.pow(10, -decimals) + 1e-9, rule = form.dataset.rule;
      var ok = rule === "at_least" ? total >= target - slack
        : rule === "at_most" ? total <= target + slack
        : Math.abs(total - target) <= slack;
      out.className = "total " + (ok ? "ok" : "bad");
      check.textContent = ok ? "✓ " + form.dataset.matches : "";
    }
    form.addEventListener("input", update);
    update();
  });
})();
