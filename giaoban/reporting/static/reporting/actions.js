// Report pages on a phone: after a save or submit (an htmx swap or a page load) bring the result into view —
// the first wrong field (focused), else the error or the message at the top; and the queue's "select all".
(function () {
  "use strict";
  function reveal(root) {
    // The first wrong field before the summary above the form (querySelector with a list takes document order).
    var target = root.querySelector(".is-invalid") || root.querySelector("#entry-error, #queue-error, .entry-message");
    if (!target) return;
    target.scrollIntoView({ block: "center" });
    if (target.matches("input, textarea, select")) {
      target.focus({ preventScroll: true });
    } else {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  }
  // After htmx has settled the new #entry — including its own "show:window:top" scroll, which would undo ours
  // if we ran earlier (the swap replaces #entry, so listen on the document).
  document.addEventListener("htmx:afterSettle", function () {
    var entry = document.getElementById("entry");
    if (entry) reveal(entry);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var entry = document.getElementById("entry");
    if (entry) reveal(entry);
    var queueError = document.getElementById("queue-error");
    if (queueError) reveal(document);
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        document.querySelectorAll(".row-check").forEach(function (box) { box.checked = all.checked; });
      });
    }
  });
})();
