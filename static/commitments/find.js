/* Type-to-find for long lists of checkboxes: a search box above every [data-find] fieldset
   narrows its options as the reader types. Progressive enhancement: without this file the
   list is all there, in a scrolling box. No inline script or style (the CSP forbids both). */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(fieldset) {
    var label = fieldset.getAttribute("data-find");
    var input = document.createElement("input");
    input.type = "search";
    input.className = "find-box";
    input.setAttribute("aria-label", label);
    input.placeholder = label;
    input.autocomplete = "off";
    var none = document.createElement("p");
    none.className = "muted find-none";
    none.hidden = true;
    none.textContent = fieldset.getAttribute("data-none") || "";
    none.setAttribute("role", "status");
    var legend = fieldset.querySelector("legend");
    legend.insertAdjacentElement("afterend", input);
    input.insertAdjacentElement("afterend", none);

    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      var shown = 0;
      fieldset.querySelectorAll(".choice-group").forEach(function (group) {
        var inGroup = 0;
        group.querySelectorAll("li").forEach(function (li) {
          var match = !wanted || fold(li.textContent).indexOf(wanted) !== -1;
          li.hidden = !match;
          if (match) { inGroup += 1; }
        });
        group.hidden = inGroup === 0;
        shown += inGroup;
      });
      none.hidden = shown !== 0;
    });
    // Enter in the box would submit the form with a half-typed search: keep it in the box.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  }

  document.querySelectorAll("fieldset[data-find]").forEach(enhance);
})();
