// Optional enhancement: on wide screens the filter sidebar has room, so its sections start open.
// Without JavaScript every section still opens with a click or Enter on its summary.
(function () {
  if (!window.matchMedia || !window.matchMedia("(min-width: 60rem)").matches) return;
  document.querySelectorAll(".filters details.more-filters").forEach(function (section) {
    section.open = true;
  });
})();

// The filter form leaves out what the reader left empty, so the address is the clean one the
// server would redirect to anyway (one address per selection).
(function () {
  var form = document.querySelector("form.filters");
  if (!form) return;
  var fields = form.querySelectorAll("input[name], select[name]");
  form.addEventListener("submit", function () {
    fields.forEach(function (field) {
      if (field.value.trim() === "") field.disabled = true;
    });
  });
  // Coming back with the browser's Back button shows this page as it was left: usable again.
  window.addEventListener("pageshow", function () {
    fields.forEach(function (field) { field.disabled = false; });
  });
})();
