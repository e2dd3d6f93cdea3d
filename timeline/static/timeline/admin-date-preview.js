// Shows, as an editor types a date, how it will read on the public page ("Ende 2024" ->
// "4. Quartal 2024") or what is wrong with it. The server's parser decides; this only asks it.
(function () {
  "use strict";
  function init() {
    var field = document.getElementById("id_date");
    if (!field) return;
    var output = document.createElement("div");
    output.id = "date-preview";
    output.className = "help";
    output.setAttribute("aria-live", "polite");
    field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " date-preview").trim());
    field.insertAdjacentElement("afterend", output);
    var url = window.location.pathname.replace(/\/(\d+\/change|add)\/.*$/, "/") + "date-preview/";
    var timer = null;
    var language = document.documentElement.lang === "en" ? "en" : "de";
    function update() {
      var value = field.value.trim();
      if (!value) { output.textContent = ""; return; }
      fetch(url + "?value=" + encodeURIComponent(value), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (field.value.trim() !== value) return;  // typed on meanwhile
          output.textContent = data.ok ? "→ " + data.display[language] + " (" + data.edtf + ")" : "⚠ " + data.error;
          output.dataset.ok = data.ok ? "yes" : "no";
        })
        .catch(function () { output.textContent = ""; });
    }
    field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 250); });
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
