/* Sorts a table.sortable by the column whose header is clicked (again: the other way).
   Cells give their sort value in data-value; filtering works without script (query args). */
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th[data-sort]").forEach(function (header) {
    header.tabIndex = 0;
    header.classList.add("sort-key");
    function sort() {
      var column = Array.prototype.indexOf.call(header.parentNode.children, header);
      var numeric = header.dataset.sort === "number";
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.querySelectorAll("tr.indicator"));
      function key(row) {
        var cell = row.children[column];
        var value = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent;
        return numeric ? (value === "" ? NaN : parseFloat(value)) : value.trim().toLowerCase();
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (numeric) {
          if (isNaN(x)) { return isNaN(y) ? 0 : 1; }
          if (isNaN(y)) { return -1; }
          return ascending ? x - y : y - x;
        }
        return ascending ? x.localeCompare(y, undefined, {numeric: true}) : y.localeCompare(x, undefined, {numeric: true});
      });
      rows.forEach(function (row) { body.appendChild(row); });
      header.parentNode.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    }
    header.addEventListener("click", sort);
    header.addEventListener("keydown", function (event) { if (event.key === "Enter") { sort(); } });
  });
});
