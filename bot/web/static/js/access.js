// Accessibility on every page: the 长者模式 toggle (remembered in localStorage; elder-init.js
// applies it before paint), and on the portal chat: long answers folded to their first sentences
// with "展开全文" in 长者模式, and a message prepared from a link (/?say=…, e.g. "提意见" on a
// consultation page) put in the input box.
(function () {
  "use strict";

  var STORAGE_KEY = "zs-elder-mode";
  var SHORT_CHARS = 60;
  var html = document.documentElement;
  var toggle = document.getElementById("elder-toggle");

  function elder() { return html.classList.contains("elder"); }

  function showToggle() {
    if (!toggle) return;
    toggle.setAttribute("aria-pressed", elder() ? "true" : "false");
    toggle.textContent = elder() ? "长者模式（已开启）" : "长者模式";
  }

  function setElder(on) {
    html.classList.toggle("elder", on);
    try { localStorage.setItem(STORAGE_KEY, on ? "on" : "off"); } catch (error) { /* not remembered */ }
    showToggle();
    document.querySelectorAll(".chat-log .msg-bot").forEach(on ? foldAnswer : unfoldAnswer);
  }

  if (toggle) {
    toggle.addEventListener("click", function () { setElder(!elder()); });
    showToggle();
  }

  // --- long answers in 长者模式 -------------------------------------------------------------

  function shortPart(text) {
    var end = 0;
    var sentence = /[。！？!?\n]/g;
    var match;
    while ((match = sentence.exec(text)) !== null) {
      if (match.index + 1 > SHORT_CHARS && end) break;
      end = match.index + 1;
      if (end >= SHORT_CHARS) break;
    }
    return (end ? text.slice(0, end) : text.slice(0, SHORT_CHARS)).trim();
  }

  function foldAnswer(line) {
    if (line.dataset.full || line.querySelector(".expand")) return;
    var full = line.textContent;
    var short = shortPart(full);
    if (short.length >= full.trim().length) return;
    line.dataset.full = full;
    line.textContent = short + "…";
    var more = document.createElement("button");
    more.type = "button";
    more.className = "expand link";
    more.textContent = "展开全文";
    more.setAttribute("aria-expanded", "false");
    more.addEventListener("click", function () { unfoldAnswer(line); });
    line.appendChild(document.createElement("br"));
    line.appendChild(more);
  }

  function unfoldAnswer(line) {
    if (!line.dataset.full) return;
    line.textContent = line.dataset.full;
    delete line.dataset.full;
    line.dataset.unfolded = "1";
  }

  var log = document.querySelector("#chat .chat-log");
  if (log) {
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) return;
          if (node.classList.contains("msg-bot") && elder() && !node.dataset.unfolded) foldAnswer(node);
        });
      });
    }).observe(log, { childList: true });
  }

  // --- a message prepared by a link ---------------------------------------------------------

  var input = document.querySelector("#chat .chat-form input");
  var prepared = new URLSearchParams(window.location.search).get("say");
  if (input && prepared) {
    input.value = prepared.slice(0, 200);
    input.focus();
  }
})();
