// Score grid keyboard help (progressive enhancement; the form works without it):
// arrow keys move between score cells, Enter moves down instead of submitting the form.
(function () {
  "use strict";
  document.querySelectorAll("form[data-score-grid]").forEach(function (form) {
    var rows = Array.prototype.map.call(form.querySelectorAll("tbody tr"), function (row) {
      return Array.prototype.slice.call(row.querySelectorAll("input.score-input"));
    });
    function focusCell(rowIndex, columnIndex) {
      var row = rows[rowIndex];
      if (!row) { return; }
      var cell = row[Math.max(0, Math.min(columnIndex, row.length - 1))];
      if (cell) { cell.focus(); cell.select(); }
    }
    rows.forEach(function (row, rowIndex) {
      row.forEach(function (input, columnIndex) {
        input.addEventListener("keydown", function (event) {
          if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
          var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], Enter: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
          var move = moves[event.key];
          if (!move) { return; }
          event.preventDefault();
          focusCell(rowIndex + move[0], columnIndex + move[1]);
        });
      });
    });
  });
})();
