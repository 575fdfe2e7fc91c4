/* Sort any table.sortable by clicking (or Enter on) a header; filter rows
   with <input data-filter="TABLE_ID">.  No libraries, no network.  Without
   JavaScript the tables stay complete in their original order and the
   filter boxes stay hidden (html.gh-js is set here). */
(function () {
  document.documentElement.classList.add("gh-js");
  // A cell's sort key: data-value if present; in a numeric column (th.num)
  // the leading number of "2.38万元", "1,113人次", "96.7%"; else the text.
  function cellValue(td, numeric) {
    if (!td) return "";
    var v = td.getAttribute("data-value");
    if (v !== null && v !== "" && !isNaN(parseFloat(v))) return parseFloat(v);
    var t = (td.textContent || "").trim();
    if (numeric) {
      var m = t.replace(/[,，\s]/g, "").match(/^([-+]?\d*\.?\d+)(万)?/);
      if (m) return parseFloat(m[1]) * (m[2] ? 1e4 : 1);
    }
    return t;
  }
  function blank(x) { return x === "" || x === "—" || x === "-"; }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var ths = table.querySelectorAll("thead th");
    ths.forEach(function (th, idx) {
      var numeric = th.classList.contains("num");
      th.setAttribute("tabindex", "0");
      th.setAttribute("role", "button");
      th.setAttribute("title", "点击排序");
      function sort() {
        var asc = !th.classList.contains("sorted-asc");
        ths.forEach(function (o) { o.classList.remove("sorted-asc", "sorted-desc"); o.removeAttribute("aria-sort"); });
        th.classList.add(asc ? "sorted-asc" : "sorted-desc");
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[idx], numeric), y = cellValue(b.cells[idx], numeric);
          if (blank(x) !== blank(y)) return blank(x) ? 1 : -1;  // blanks last
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
