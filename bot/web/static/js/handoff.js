// A hand-over conversation seen by the operator: the assistant's part and the live exchange,
// refreshed every few seconds; replies are stored and reach the citizen's own channel.
(function () {
  "use strict";

  var api = window.ZsConsole;
  var root = document.getElementById("handoff");
  var id = root.dataset.id;
  var transcript = document.getElementById("transcript");
  var statusLabel = document.getElementById("handoff-status");
  var form = document.getElementById("reply-form");
  var AUTHORS = { citizen: "市民", assistant: "智能助手", operator: "人工客服", system: "系统" };
  var shown = "";

  function refresh() {
    api.getJson("/operator/handoffs/" + id + "/transcript.json").then(function (data) {
      statusLabel.textContent = data.handoff.status_label;
      form.querySelector("button").disabled = data.handoff.status !== "active";
      var signature = JSON.stringify(data.entries);
      if (signature === shown) return;
      shown = signature;
      transcript.replaceChildren();
      data.entries.forEach(function (entry) {
        var line = api.element("div", "msg msg-" + entry.author);
        line.appendChild(api.element("span", "who", AUTHORS[entry.author] || entry.author));
        line.appendChild(document.createTextNode(entry.text));
        transcript.appendChild(line);
      });
      transcript.scrollTop = transcript.scrollHeight;
    }).catch(function () { /* tried again on the next tick */ });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = form.elements.text.value.trim();
    if (!text) return;
    api.postJson("/operator/handoffs/" + id + "/messages", { text: text }).then(function () {
      form.elements.text.value = "";
      refresh();
    }).catch(function (error) {
      transcript.appendChild(api.element("div", "msg msg-system", error.message));
    });
  });

  refresh();
  setInterval(refresh, 3000);
})();
