/* The paragraph picker (templates/dialogues/_section_picker.html): a box that narrows the
   checkboxes to those whose label contains what is typed. Chosen ones always stay in view;
   groups with nothing left to show are hidden. Without this script every checkbox shows. */
(function () {
  "use strict";

  function normalized(text) {
    return text.toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").trim();
  }

  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var box = picker.querySelector("[data-picker-filter]");
    if (!box) return;
    box.closest(".picker__filter").hidden = false;
    var items = Array.prototype.slice.call(picker.querySelectorAll(".picker__items li"));
    var groups = picker.querySelectorAll(".picker__chapter, .picker__group");

    function apply() {
      var wanted = normalized(box.value);
      items.forEach(function (item) {
        var checkbox = item.querySelector("input");
        item.hidden = wanted !== "" && !checkbox.checked && normalized(item.textContent).indexOf(wanted) === -1;
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector(".picker__items li:not([hidden])");
      });
    }

    box.addEventListener("input", apply);
    // Enter in the box filters; it must not submit the form (its first button adds a row).
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  });
})();
