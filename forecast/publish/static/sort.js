/* Sortable tables of the kadry site. Optional: every number is in the HTML, this script only
   re-orders rows. A click on a column header sorts by it (numbers by their exact data-v value),
   a second click reverses; the foot (totals) row stays at the bottom. No network, no globals. */
(function () {
  "use strict";
  function key(cell) {
    if (!cell) { return ""; }
    var v = cell.getAttribute("data-v");
    if (v !== null) { return v === "" ? -Infinity : parseFloat(v); }
    return cell.textContent.trim().toLowerCase();
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { r.__pos = i; });
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      if (typeof x === "number" && typeof y === "number") {
        if (x !== y) { return (x < y ? -1 : 1) * dir; }
      } else {
        var c = String(x).localeCompare(String(y), document.documentElement.lang || undefined, { numeric: true });
        if (c !== 0) { return c * dir; }
      }
      return a.__pos - b.__pos;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
  }
  function init() {
    var tables = document.querySelectorAll("table.sortable");
    Array.prototype.forEach.call(tables, function (table) {
      if (!table.tHead || !table.tHead.rows.length) { return; }
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
        var b = document.createElement("button");
        b.type = "button";
        while (th.firstChild) { b.appendChild(th.firstChild); }
        th.appendChild(b);
        b.addEventListener("click", function () { sortBy(table, index, th); });
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
