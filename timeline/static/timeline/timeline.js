// Optional enhancement: on wide screens the filter sidebar has room, so its sections start open.
// Without JavaScript every section still opens with a click or Enter on its summary.
(function () {
  if (!window.matchMedia || !window.matchMedia("(min-width: 60rem)").matches) return;
  document.querySelectorAll(".filters details.more-filters").forEach(function (section) {
    section.open = true;
  });
})();
