// The portal's chat widget: talks to Rasa's socket.io channel, or to our REST relay
// (/api/chat) when the socket.io client is not installed or cannot connect. While a 12345
// operator has taken the conversation over it talks to /api/handoff/<sender>/messages instead.
// Every text, the citizen's and the bot's, is put on the page with textContent, never as HTML.
(function () {
  "use strict";

  var root = document.getElementById("chat");
  if (!root) return;
  var log = root.querySelector(".chat-log");
  var form = root.querySelector(".chat-form");
  var input = form.querySelector("input");
  var statusLine = root.querySelector(".chat-status");
  var SENDER_KEY = "zs-chat-sender";
  var POLL_MS = 3000;

  var sender = sessionStorage.getItem(SENDER_KEY);
  var newConversation = !sender;
  if (!sender) {
    sender = randomId();
    sessionStorage.setItem(SENDER_KEY, sender);
  }
  var human = { on: false, after: 0, timer: null };
  var transport = null;

  function randomId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

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
    buttons.forEach(function (button) {
      var element = document.createElement("button");
      element.type = "button";
      element.textContent = button.title;
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
    var buttons = message.quick_replies || message.buttons || [];
    if (buttons.length) addButtons(buttons);
    scheduleHandoffCheck();
  }

  function send(text, shown) {
    addLine("user", shown || text);
    if (human.on) {
      sayToOperator(text);
    } else {
      transport.send(text);
    }
  }

  // --- transports -------------------------------------------------------------------------

  function socketTransport(url) {
    var socket = window.io(url, { path: "/socket.io", transports: ["websocket"], reconnectionAttempts: 3 });
    var ready = false;
    var fallenBack = false;
    var pending = [];
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: sender });
    });
    socket.on("session_confirm", function () {
      ready = true;
      setStatus("在线");
      pending.splice(0).forEach(emit);
    });
    socket.on("bot_uttered", showBotMessage);
    socket.on("connect_error", function () {
      if (ready || fallenBack) return;
      fallenBack = true;
      socket.close();
      transport = restTransport();
      pending.splice(0).forEach(transport.send);
    });
    socket.on("disconnect", function () {
      ready = false;
      setStatus("连接中断，正在重连…");
    });
    function emit(text) {
      socket.emit("user_uttered", { message: text, session_id: sender });
    }
    return {
      send: function (text) {
        if (ready) emit(text); else pending.push(text);
      }
    };
  }

  function restTransport() {
    setStatus("在线");
    var queue = Promise.resolve();
    return {
      send: function (text) {
        queue = queue.then(function () {
          return postJson("/api/chat", { sender: sender, message: text }).then(function (body) {
            (body.messages || []).forEach(showBotMessage);
          }).catch(function (error) {
            addLine("system", error.message || "网络异常，请稍后再试。");
          });
        });
      }
    };
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || "请求失败");
        return data;
      });
    });
  }

  // --- hand-over to a person --------------------------------------------------------------

  var checkTimer = null;
  function scheduleHandoffCheck() {
    if (human.on) return;
    clearTimeout(checkTimer);
    checkTimer = setTimeout(checkHandoff, 600);
  }

  function checkHandoff() {
    fetch("/api/handoff/" + sender + "/messages?after=" + human.after)
      .then(function (response) { return response.json(); })
      .then(applyHandoff)
      .catch(function () { /* the next poll tries again */ });
  }

  function applyHandoff(view) {
    var open = view.status === "waiting" || view.status === "active";
    if (open && !human.on) {
      human.on = true;
      human.timer = setInterval(checkHandoff, POLL_MS);
    }
    if (!human.on) return;
    setStatus(view.status === "active" ? "人工客服已接入" : "正在为您转接人工客服…");
    (view.messages || []).forEach(function (message) {
      human.after = Math.max(human.after, message.id);
      addLine("operator", "人工客服：" + message.text);
    });
    if (!open) {
      human.on = false;
      clearInterval(human.timer);
      addLine("system", "人工客服已结束本次对话，您可以继续向智能助手提问。");
      setStatus("在线");
    }
  }

  function sayToOperator(text) {
    postJson("/api/handoff/" + sender + "/messages", { text: text }).catch(function (error) {
      addLine("system", error.message);
    });
  }

  // --- start ------------------------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });

  var rasaUrl = root.dataset.rasaUrl;
  transport = root.dataset.transport === "socketio" && window.io ? socketTransport(rasaUrl) : restTransport();
  if (newConversation) {
    transport.send("/greet");
  } else {
    addLine("system", "欢迎回来，您可以继续之前的对话。");
    checkHandoff();
  }
})();
