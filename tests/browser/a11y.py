"""What the accessibility tests share: where the keyboard's focus is, and whether its ring can be seen.

A focus ring passes when it is drawn (outline or box-shadow at least 2 px) in a colour at 3:1 or more against
what lies behind it: the first opaque background under a point just outside the focused element, where the
outline is drawn (WCAG 2.1 1.4.11, non-text contrast)."""

from __future__ import annotations

FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const width = parseFloat(style.outlineWidth) || 0;
  const offset = parseFloat(style.outlineOffset) || 0;
  // A point on the ring itself (left side, half way down), to find what lies behind it.
  const x = Math.max(0, Math.min(window.innerWidth - 1, rect.left - offset - width / 2));
  const y = Math.max(0, Math.min(window.innerHeight - 1, rect.top + rect.height / 2));
  let behind = null;
  for (const under of document.elementsFromPoint(x, y)) {
    if (under === el || el.contains(under)) continue;
    for (let node = under; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (bg && bg !== "transparent" && !/rgba\\(.*,\\s*0\\)$/.test(bg)) { behind = bg; break; }
    }
    if (behind) break;
  }
  return {
    tag: el.tagName.toLowerCase(), type: el.getAttribute("type"), testid: el.getAttribute("data-testid"),
    text: (el.innerText || el.value || "").slice(0, 60),
    style: style.outlineStyle, width: width, color: style.outlineColor, behind: behind || "rgb(255, 255, 255)",
  };
}"""


class WithoutServiceWorkers:
    """Chromium whose contexts run no service worker: the social worker's offline cache (tested in its own
    module) would otherwise fetch pages alongside these tests' steps, racing them for SQLite's session row."""

    def __init__(self, chromium):
        self.chromium = chromium

    def new_context(self, **options):
        return self.chromium.new_context(service_workers="block", **options)


# Date and time fields: the focus is inside the browser's own parts (day, month, year), which Chromium shows
# highlighted; the input itself matches neither :focus-visible nor :focus there.
NATIVE_FOCUS = {"date", "time", "datetime-local", "month", "week"}


def _rgb(css: str) -> tuple[float, float, float]:
    parts = css[css.index("(") + 1 : css.index(")")].replace("/", ",").split(",")
    return tuple(float(p) for p in parts[:3])


def _luminance(css: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def assert_focus_ring(page) -> dict:
    """The focused element shows a ring at 3:1 or more against what is behind it; returns what was measured."""
    ring = page.evaluate(FOCUS_RING)
    assert ring is not None, "nothing has focus"
    if ring["tag"] == "input" and ring["type"] in NATIVE_FOCUS:
        return ring  # Chromium highlights the focused part of the field itself; no outline reaches the input
    assert ring["style"] != "none" and ring["width"] >= 2, f"no focus ring on {ring}"
    ratio = contrast(ring["color"], ring["behind"])
    assert ratio >= 3, f"focus ring at {ratio:.2f}:1 on {ring}"
    return ring


def focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, *, limit: int = 80, back: bool = False) -> int:
    """Press Tab (or Shift+Tab) until the focus is on `selector`, checking the ring at every stop on the
    way; returns the number of presses. Fails if the element is not reached."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            continue  # past the end of the page: the browser's own controls
        assert_focus_ring(page)
        if focused(page, selector):
            return presses
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab")


# What axe-core leaves to a person but a script can hold: ids once per page, every reference to an id
# (aria-describedby, aria-labelledby, a label's for) naming an element that exists, no label for nothing,
# the account menu readable on the top bar, and each chart with a table or text a screen reader reaches.
PAGE_CHECKS = """() => {
  const problems = [];
  const seen = new Map();
  for (const el of document.querySelectorAll("[id]")) {
    if (seen.has(el.id)) problems.push("id used twice: " + el.id);
    seen.set(el.id, el);
  }
  for (const attr of ["aria-describedby", "aria-labelledby"]) {
    for (const el of document.querySelectorAll("[" + attr + "]")) {
      for (const ref of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(ref)) problems.push(attr + " names no element: " + ref);
      }
    }
  }
  for (const label of document.querySelectorAll("label[for]")) {
    const target = label.getAttribute("for");
    if (!target || !document.getElementById(target)) {
      problems.push("label for nothing: '" + label.textContent.trim() + "'");
    }
  }
  const summary = document.querySelector(".topbar details.account > summary");
  const account = summary
    ? [getComputedStyle(summary).color, getComputedStyle(document.querySelector(".topbar")).backgroundColor]
    : null;
  for (const svg of document.querySelectorAll("main svg")) {
    if (svg.closest("[aria-hidden=true]") && !svg.closest("figure")) continue;
    const figure = svg.closest("figure");
    if (!figure) continue;
    const holder = figure.closest(".chart-and-table") || figure;
    const text = holder.querySelector("table, [data-chart-text]");
    const name = svg.getAttribute("aria-label") || figure.textContent.trim().slice(0, 60);
    if (!text) problems.push("chart without a table or text: " + name);
  }
  return {problems, account};
}"""


def page_problems(page) -> list[str]:
    found = page.evaluate(PAGE_CHECKS)
    problems = found["problems"]
    if found["account"] and contrast(*found["account"]) < 4.5:
        problems.append(f"account menu at {contrast(*found['account']):.2f}:1 on the top bar")
    return problems
