/* Sort any table.sortable by clicking a header; filter rows with
   <input data-filter="TABLE_ID">.  No libraries, no network; without
   JavaScript the tables simply stay in their original order. */
(function () {
  function cellValue(td) {
    var v = td.getAttribute("data-value");
    if (v !== null && v !== "") { var n = parseFloat(v); if (!isNaN(n)) return n; }
    var t = (td.textContent || "").trim();
    var m = t.replace(/[,，%元万人次]/g, "");
    var n2 = parseFloat(m);
    return (!isNaN(n2) && /^[-+]?[\d.]+$/.test(m)) ? n2 : t;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var ths = table.querySelectorAll("thead th");
    ths.forEach(function (th, idx) {
      th.setAttribute("tabindex", "0");
      th.setAttribute("role", "button");
      function sort() {
        var asc = !th.classList.contains("sorted-asc");
        ths.forEach(function (o) { o.classList.remove("sorted-asc", "sorted-desc"); o.removeAttribute("aria-sort"); });
        th.classList.add(asc ? "sorted-asc" : "sorted-desc");
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[idx]), y = cellValue(b.cells[idx]);
          var blankX = x === "—" || x === "", blankY = y === "—" || y === "";
          if (blankX !== blankY) return blankX ? 1 : -1;
          if (typeof x === "number" && typeof y === "number") return asc ? x - y : y - x;
          return asc ? String(x).localeCompare(String(y), "zh-CN") : String(y).localeCompare(String(x), "zh-CN");
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  });
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    if (!table) return;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        var text = (r.cells[0].textContent + " " + (r.cells[1] ? r.cells[1].textContent : "")).toLowerCase();
        r.style.display = !q || text.indexOf(q) !== -1 ? "" : "none";
      });
    });
  });
})();
