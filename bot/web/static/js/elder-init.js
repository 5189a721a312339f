// Loaded in <head> without defer, so 长者模式 (large text, high contrast) is on <html> before the
// first paint: a citizen who chose it never sees the page flash in the small layout first.
(function () {
  "use strict";
  try {
    if (localStorage.getItem("zs-elder-mode") === "on") document.documentElement.classList.add("elder");
  } catch (error) { /* storage blocked: the page stays in the normal layout */ }
})();
