// Report pages on a phone: after a save or submit (an htmx swap or a page load) bring the result into view —
// the first wrong field (focused), else the error or the message at the top; and the queue's "select all".
(function () {
  "use strict";
  function reveal(root) {
    var target = root.querySelector(".is-invalid, #entry-error, #queue-error, .entry-message");
    if (!target) return;
    target.scrollIntoView({ block: "center" });
    if (target.matches("input, textarea, select")) {
      target.focus({ preventScroll: true });
    } else {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  }
  // htmx:load fires on the new #entry once it is in the page (an outerHTML swap removes the old target, so
  // events on it never reach the document); wait for htmx to settle so its own focus handling comes first.
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.id === "entry") {
      var entry = event.target;
      window.setTimeout(function () { reveal(entry); }, 30);
    }
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
