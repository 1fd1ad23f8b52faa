/* Where the keyboard's focus goes, for people who cannot see the whole page at once (WCAG 2.1: 2.4.3,
 * 3.3.1, 4.1.3). This file holds no text a person reads.
 *  - A form sent back with errors: its error summary ([data-error-summary], tabindex="-1") takes focus,
 *    after a full page load as after an htmx swap, so a screen reader reads what is wrong at once.
 *  - An htmx swap that removes the focused control (e.g. "Mark as read"): focus goes to the control of
 *    the same id or data-testid in the new content, else to its [data-focus-after-swap] element, else
 *    to the swapped element itself; never lost on <body>.
 *  - A table wider than its box scrolls sideways: the box (.table-wrap) takes focus so that the
 *    keyboard can scroll it, named by the heading of its section (role="region").
 */
(function () {
  "use strict";

  function focusOn(element) {
    if (!element) { return false; }
    if (!element.hasAttribute("tabindex") && !element.matches("a[href], button, input, select, textarea, summary")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
    return document.activeElement === element;
  }

  function errorSummaryIn(root) {
    if (root.matches && root.matches("[data-error-summary]")) { return root; }
    return root.querySelector ? root.querySelector("[data-error-summary]") : null;
  }

  function namedBy(wrap) {
    var section = wrap.closest("[aria-labelledby]");
    if (section) { return section.getAttribute("aria-labelledby"); }
    var caption = wrap.querySelector("caption");
    if (caption) {
      if (!caption.id) { caption.id = "table-caption-" + Math.random().toString(36).slice(2); }
      return caption.id;
    }
    var heading = wrap.closest("section, article, main");
    heading = heading && heading.querySelector("h1, h2, h3");
    if (heading) {
      if (!heading.id) { heading.id = "table-heading-" + Math.random().toString(36).slice(2); }
      return heading.id;
    }
    return null;
  }

  function scrollableTables(root) {
    var wraps = (root.querySelectorAll ? root : document).querySelectorAll(".table-wrap");
    Array.prototype.forEach.call(wraps, function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var label = namedBy(wrap);
        if (label) { wrap.setAttribute("aria-labelledby", label); }
      } else if (wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-labelledby");
      }
    });
  }

  // A link of the error summary takes the focus to its field (a fragment alone only scrolls there).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    scrollableTables(document);
    focusOn(errorSummaryIn(document.body));
  });
  // A form sent from a page reached by the skip link comes back at ".../#main": the browser's scroll to
  // that fragment, after the load, drops the focus on <body>. Take it back to the error summary then.
  window.addEventListener("load", function () {
    setTimeout(function () {
      var summary = errorSummaryIn(document.body);
      if (summary && (!document.activeElement || document.activeElement === document.body)) { focusOn(summary); }
    }, 0);
  });
  var resizing;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { scrollableTables(document); }, 200);
  });

  // What had focus before an htmx swap, to find it again in the new content.
  var before = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    before = active && active !== document.body
      ? { id: active.id, testid: active.getAttribute("data-testid"), element: active }
      : null;
  });

  // Once per response: htmx sends afterSettle for each element it settled (the target's new content and
  // any out-of-band parts), all with the same detail object.
  var settled = new WeakSet();
  document.addEventListener("htmx:afterSettle", function (event) {
    var info = event.detail;
    if (settled.has(info)) { return; }
    settled.add(info);
    var target = info.target;
    var swapped = (target && target.isConnected && target)
      || (target && target.id && document.getElementById(target.id))
      || event.target;
    scrollableTables(swapped.parentNode || document);
    if (focusOn(errorSummaryIn(swapped))) { return; }
    var was = before;
    before = null;
    if (!was) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) { return; }
    var again = (was.id && document.getElementById(was.id))
      || (was.testid && swapped.querySelector('[data-testid="' + was.testid + '"]'))
      || swapped.querySelector("[data-focus-after-swap]");
    focusOn(again || swapped);
  });
})();
