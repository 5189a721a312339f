// The portal's chat widget. It talks only to our web service: GET /api/chat (the signed
// conversation cookie and the conversation so far, so a reload keeps it), POST /api/chat (one
// message; during a hand-over it goes to the operator) and the event stream /api/chat/events
// (the operator taking over and their lines, a department's answer), never to Rasa.
// Every text, the citizen's and the bot's, is put on the page with textContent, never as HTML.
(function () {
  "use strict";

  var root = document.getElementById("chat");
  if (!root) return;
  var log = root.querySelector(".chat-log");
  var form = root.querySelector(".chat-form");
  var input = form.querySelector("input");
  var sendButton = form.querySelector("button");
  var counter = root.querySelector(".chat-counter");
  var statusLine = root.querySelector(".chat-status");
  var MAX = Number(root.dataset.maxMessage) || 2000;
  var handoff = "none";
  var lastOperatorLine = 0;
  var queue = Promise.resolve();
  var typing = null;

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function addLine(author, text) {
    var line = document.createElement("div");
    line.className = "msg msg-" + author;
    line.textContent = text;
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
    return line;
  }

  function addButtons(buttons) {
    var group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "快捷回复");
    buttons.forEach(function (button) {
      var element = document.createElement("button");
      element.type = "button";
      element.textContent = button.title;
      element.setAttribute("aria-label", "快捷回复：" + button.title);
      element.addEventListener("click", function () {
        group.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        send(button.payload, button.title);
      });
      group.appendChild(element);
    });
    log.appendChild(group);
    log.scrollTop = log.scrollHeight;
  }

  function showBotMessage(message) {
    if (message.text) addLine("bot", message.text);
    if (message.buttons && message.buttons.length) addButtons(message.buttons);
  }

  function showTyping(on) {
    if (on && !typing) {
      typing = document.createElement("div");
      typing.className = "msg msg-typing";
      typing.setAttribute("role", "status");
      typing.textContent = "智能助手正在输入…";
      log.appendChild(typing);
      log.scrollTop = log.scrollHeight;
    } else if (!on && typing) {
      typing.remove();
      typing = null;
    }
  }

  function request(method, url, body) {
    var options = { method: method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "网络异常，请稍后再试。");
        return data;
      });
    });
  }

  function send(text, shown) {
    if (shown !== null) addLine("user", shown || text);
    queue = queue.then(function () {
      showTyping(handoff === "none" || handoff === "closed");
      return request("POST", "/api/chat", { message: text }).then(function (body) {
        showTyping(false);
        (body.messages || []).forEach(showBotMessage);
        if (body.handoff) applyHandoff(body.handoff);
      }).catch(function (error) {
        showTyping(false);
        addLine("system", error.message);
      });
    });
  }

  // --- what happens without asking: hand-over and notices -----------------------------------

  var HANDOFF_STATUS = { waiting: "正在为您转接人工客服…", active: "人工客服已接入", closed: "在线", none: "在线" };

  function applyHandoff(status) {
    if (status === handoff) return;
    var was = handoff;
    handoff = status;
    setStatus(HANDOFF_STATUS[status] || "在线");
    if (status === "active") addLine("system", "人工客服已接入，请直接在这里说明您的情况。");
    if (status === "closed" && (was === "waiting" || was === "active")) {
      addLine("system", "人工客服已结束本次对话，您可以继续向智能助手提问。");
    }
  }

  function listen() {
    if (!window.EventSource) return;
    var url = "/api/chat/events?status=" + encodeURIComponent(handoff) + "&after=" + lastOperatorLine;
    var events = new EventSource(url);
    events.addEventListener("handoff", function (event) {
      applyHandoff(JSON.parse(event.data).status);
    });
    events.addEventListener("operator", function (event) {
      var line = JSON.parse(event.data);
      if (line.id <= lastOperatorLine) return;
      lastOperatorLine = line.id;
      if (handoff !== "active") applyHandoff("active");
      addLine("operator", "人工客服：" + line.text);
    });
    events.addEventListener("notice", function (event) {
      addLine("notice", JSON.parse(event.data).text);
    });
  }

  // --- the conversation so far --------------------------------------------------------------

  function replay(body) {
    var messages = body.messages || [];
    messages.forEach(function (message) {
      if (message.author === "bot") showBotMessage(message);
      else if (message.author === "operator") {
        lastOperatorLine = Math.max(lastOperatorLine, message.id || 0);
        addLine("operator", "人工客服：" + message.text);
      } else if (message.author === "notice") addLine("notice", message.text);
      else addLine("user", message.text);
    });
    var groups = log.querySelectorAll(".quick-replies");
    groups.forEach(function (group, index) {
      if (index < groups.length - 1) group.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    });
    handoff = body.handoff || "none";
    setStatus(HANDOFF_STATUS[handoff] || "在线");
    if (messages.length) addLine("system", "欢迎回来，以上是本次会话的记录，您可以继续对话。");
  }

  // --- the input: a counter, never a silent cut ---------------------------------------------

  function updateCounter() {
    var length = Array.from(input.value.trim()).length;
    counter.textContent = length + "/" + MAX;
    var over = length > MAX;
    counter.classList.toggle("over", over);
    input.setAttribute("aria-invalid", over ? "true" : "false");
    sendButton.disabled = over;
    counter.setAttribute("aria-label", over
      ? "已输入" + length + "字，超出" + (length - MAX) + "字，请删减后发送"
      : "已输入" + length + "字，最多" + MAX + "字");
  }

  input.addEventListener("input", updateCounter);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || Array.from(text).length > MAX) return;
    input.value = "";
    updateCounter();
    send(text);
  });

  updateCounter();
  request("GET", "/api/chat").then(function (body) {
    replay(body);
    if (body.new) send("/greet", null);
    listen();
  }).catch(function (error) {
    setStatus("连接失败");
    addLine("system", error.message);
  });
})();
