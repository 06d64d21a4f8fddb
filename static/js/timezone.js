// A first guess of the reader's time zone, from the browser: it fills the hidden field of the
// sign-in form, and preselects the zone on the settings page while the account has none.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) {
    return;
  }
  document.querySelectorAll("input[data-timezone-guess]").forEach(function (input) {
    input.value = zone;
  });
  document.querySelectorAll("select[data-timezone-guess]").forEach(function (select) {
    var option = Array.prototype.find.call(select.options, function (candidate) {
      return candidate.value === zone;
    });
    if (option) {
      select.value = zone;
    }
  });
})();
