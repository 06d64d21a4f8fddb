/* Forms a person can finish, loaded by every page (the CSP forbids inline scripts).
   - The error summary takes focus, so the reader hears and sees what went wrong first.
   - A success message after a redirect to a place in the page is shown there, in view.
   - A long text field counts the characters left; without this script its limit is stated in words. */
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  } else {
    var flashes = document.querySelector(".flashes");
    var target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (flashes && target && !flashes.contains(target)) {
      target.parentNode.insertBefore(flashes, target);
      flashes.scrollIntoView();
    }
  }

  // A link of the summary moves focus to its field, not only the view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  });

  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    var limit = field && parseInt(field.getAttribute("maxlength"), 10);
    if (!limit) return;
    var wording = counter.getAttribute("data-counter-text");
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    counter.parentNode.insertBefore(spoken, counter.nextSibling);
    var timer = null;
    function text() {
      return wording.replace("{count}", numbers.format(Math.max(limit - field.value.length, 0)));
    }
    function update() {
      counter.textContent = text();
      counter.classList.toggle("counter--near", field.value.length >= limit * 0.9);
      // Spoken once the typing pauses, not at every key.
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { spoken.textContent = text(); }, 1000);
    }
    counter.textContent = text();
    field.addEventListener("input", update);
  });
})();
