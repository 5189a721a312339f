// The 12345 call page: as the operator types what the caller says, ask /api/assist for suggested
// answers and the router's ticket, fill the ticket form (never overwriting a field the operator
// changed; only when the caller describes a matter, not for a policy question), record what the
// operator did with each suggestion, and create exactly one ticket per filled form: the button is
// disabled while it is sent and the server keys the ticket on the form's idempotency key.
// Also keeps the hand-over queue fresh.
(function () {
  "use strict";

  var api = window.ZsConsole;
  var form = document.getElementById("ticket-form");
  var caller = document.getElementById("caller-text");
  var list = document.getElementById("suggestions");
  var hint = document.getElementById("suggestions-hint");
  var note = document.getElementById("routing-note");
  var result = document.getElementById("ticket-result");
  var queue = document.getElementById("handoff-queue");
  var queueCount = document.getElementById("queue-count");
  var ROUTED_FIELDS = ["type", "category", "department_id", "co_department_ids", "location", "urgent"];
  var edited = {};
  var latest = 0;
  var callKey = form.dataset.key;
  var submitting = false;

  // --- suggestions and pre-filled ticket -----------------------------------------------------

  var assist = api.debounce(function () {
    var question = caller.value.trim();
    if (!question) return;
    var asked = ++latest;
    api.getJson("/api/assist?q=" + encodeURIComponent(question)).then(function (data) {
      if (asked !== latest) return;
      showSuggestions(question, data.answers);
      if (data.prefill) {
        fillTicket(data.ticket);
      } else {
        note.textContent = "市民在" + data.topic + "：请参考右侧答复作答，无需建工单；确需建工单时请手动填写。";
      }
    }).catch(function (error) {
      hint.textContent = error.message;
    });
  }, 400);

  // A suggestion the knowledge base is not confident about is marked so on its card; when the
  // library holds nothing on the matter at all, the suggestions stay folded until asked for.
  function showSuggestions(question, answers) {
    list.replaceChildren();
    var results = answers.results || [];
    var lowConfidence = !answers.confident;
    if (!results.length) {
      hint.textContent = "政策库里没有找到相关内容。";
    } else if (answers.out_of_library) {
      hint.textContent = "政策库里没有与来电相符的政策，请按来电内容办理或转办。";
      var reveal = api.element("button", "", "显示低匹配参考（" + results.length + "条，可能与来电无关）");
      reveal.type = "button";
      reveal.addEventListener("click", function () {
        reveal.replaceWith.apply(reveal, results.map(function (item) { return suggestionCard(question, item, true); }));
      });
      list.appendChild(reveal);
    } else {
      hint.textContent = lowConfidence ? "没有把握足够的参考答复，以下内容请核实后再用。" : "";
      results.forEach(function (item) { list.appendChild(suggestionCard(question, item, lowConfidence)); });
    }
  }

  function suggestionCard(question, item, lowConfidence) {
    var card = api.element("div", lowConfidence ? "suggestion low-confidence" : "suggestion");
    var answer = api.element("p", "answer", item.answer);
    var flags = [];
    if (lowConfidence) flags.push("低匹配，仅供参考，请核实");
    if (item.confident) flags.push("高匹配");
    if (item.expired) flags.push("政策已失效");
    if (item.pending) flags.push("尚未施行");
    if (item.sample) flags.push("示例文件");
    var source = "出处：" + item.policy + (item.doc_no ? "（" + item.doc_no + "）" : "") + " " + item.clause;
    card.appendChild(answer);
    card.appendChild(api.element("div", "source", source + (flags.length ? " · " + flags.join(" · ") : "")));
    var actions = api.element("div", "actions");
    var use = api.element("button", "", "采用");
    var edit = api.element("button", "", "修改后采用");
    var reject = api.element("button", "", "不相关");
    [use, edit, reject].forEach(function (b) { b.type = "button"; actions.appendChild(b); });
    card.appendChild(actions);

    function record(action, finalText) {
      var body = {
        question: question, policy_id: item.policy_id, clause_id: item.clause_id,
        suggestion: item.answer, action: action, final_text: finalText || null
      };
      return api.postJson("/api/assist/feedback", body).then(function () {
        actions.replaceChildren(api.element("span", "muted", { used: "已采用", edited: "已修改后采用", rejected: "已标记不相关" }[action]));
        card.classList.add(action === "rejected" ? "rejected" : "used");
      }).catch(function (error) {
        actions.appendChild(api.element("span", "muted", error.message));
      });
    }

    use.addEventListener("click", function () { record("used"); });
    reject.addEventListener("click", function () { record("rejected"); });
    edit.addEventListener("click", function () {
      var box = api.element("textarea");
      box.value = item.answer;
      var save = api.element("button", "primary", "保存并采用");
      save.type = "button";
      answer.replaceWith(box);
      actions.replaceChildren(save);
      save.addEventListener("click", function () {
        var text = box.value.trim();
        if (!text) return;
        box.replaceWith(api.element("p", "answer", text));
        record("edited", text);
      });
    });
    return card;
  }

  function fillTicket(ticket) {
    var values = {
      type: ticket.type || form.elements.type.value,
      category: ticket.category || "",
      department_id: ticket.department_id || "",
      co_department_ids: ticket.co_department_ids || [],
      location: ticket.location || "",
      urgent: !!ticket.urgent
    };
    ROUTED_FIELDS.forEach(function (name) {
      if (!edited[name]) setField(name, values[name]);
    });
    form.elements.due_at.value = ticket.due_at ? formatTime(ticket.due_at) : "";
    var notes = [];
    if (ticket.emergency_message) notes.push("⚠ " + ticket.emergency_message);
    if (ticket.excluded_message) notes.push("⚠ " + ticket.excluded_message);
    if (ticket.needs_operator) notes.push("未能自动确定承办单位，请手动选择。");
    if (ticket.jurisdiction_name && !ticket.emergency) notes.push("属地：" + ticket.jurisdiction_name);
    note.textContent = notes.join("　");
  }

  function setField(name, value) {
    var field = form.elements[name];
    if (field.type === "checkbox") {
      field.checked = value;
    } else if (field.multiple) {
      Array.prototype.forEach.call(field.options, function (option) {
        option.selected = value.indexOf(option.value) !== -1;
      });
    } else {
      field.value = value;
    }
  }

  function formatTime(iso) {
    var match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
    return match ? match[1] + "年" + match[2] + "月" + match[3] + "日 " + match[4] + ":" + match[5] + " 前" : iso;
  }

  // --- creating the ticket ------------------------------------------------------------------

  function ticketBody() {
    var elements = form.elements;
    return {
      description: caller.value.trim(),
      type: elements.type.value,
      category: elements.category.value,
      department_id: elements.department_id.value,
      co_department_ids: Array.prototype.filter.call(elements.co_department_ids.options, function (o) {
        return o.selected;
      }).map(function (o) { return o.value; }),
      location: elements.location.value.trim(),
      urgent: elements.urgent.checked,
      name: elements.name.value.trim(),
      phone: elements.phone.value.trim(),
      anonymous: elements.anonymous.checked,
      key: callKey
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitting) return;
    var body = ticketBody();
    if (!body.description) { result.textContent = "请先记录市民所述内容。"; return; }
    if (!body.phone && !body.anonymous) { result.textContent = "请填写联系电话（仅举报可匿名）。"; return; }
    var button = form.querySelector('button[type="submit"]');
    submitting = true;
    button.disabled = true;
    api.postJson("/operator/tickets", body).then(function (ticket) {
      clearCall();
      callKey = ticket.next_key;
      result.className = "alert alert-ok";
      result.textContent = "已创建工单 " + ticket.number + "（" + ticket.status + "，" +
        (ticket.department || "待分派") + "，办结时限 " + ticket.due_at + "）。表单已清空，可接听下一位来电。";
    }).catch(function (error) {
      result.className = "alert alert-error";
      result.textContent = error.message;
    }).then(function () {
      submitting = false;
      button.disabled = false;
    });
  });

  function clearCall() {
    latest++;
    form.reset();
    edited = {};
    list.replaceChildren();
    note.textContent = "";
    result.textContent = "";
    result.className = "";
    hint.textContent = "输入市民所述后显示政策库中的参考答复及出处。";
  }

  Array.prototype.forEach.call(form.elements, function (field) {
    if (ROUTED_FIELDS.indexOf(field.name) === -1) return;
    field.addEventListener("change", function () { edited[field.name] = true; });
  });
  caller.addEventListener("input", assist);
  // Words typed while the page was still loading (or restored by the browser on going back)
  // came before this listener: look them up now rather than leave the panel silently empty.
  if (caller.value.trim()) assist();
  document.getElementById("new-call").addEventListener("click", clearCall);

  // --- hand-over queue ----------------------------------------------------------------------

  function refreshQueue() {
    api.getJson("/operator/handoffs.json").then(function (data) {
      var waiting = data.handoffs.filter(function (h) { return h.status === "waiting"; }).length;
      queueCount.textContent = "（排队 " + waiting + " 位）";
      queue.replaceChildren();
      if (!data.handoffs.length) queue.appendChild(api.element("li", "muted", "暂无转人工请求"));
      data.handoffs.forEach(function (handoff) { queue.appendChild(queueItem(handoff)); });
    }).catch(function () { /* tried again on the next tick */ });
  }

  function queueItem(handoff) {
    var item = api.element("li");
    var title = handoff.status_label + " · " + handoff.channel_label + " · " + handoff.created_at +
      (handoff.claimed_by ? " · " + handoff.claimed_by : "");
    item.appendChild(api.element("div", "topic", "话题：" + handoff.topic));
    item.appendChild(api.element("div", "meta", title));
    item.appendChild(api.element("div", "text-block", handoff.last_message || "（无留言）"));
    var waiting = handoff.status === "waiting";
    var button = api.element("button", waiting ? "primary" : "", waiting ? "接入" : "进入对话");
    button.type = "button";
    button.setAttribute("aria-label", (waiting ? "接入" : "进入对话") + "：" + handoff.topic + "，" + handoff.created_at);
    button.addEventListener("click", function () {
      api.postJson("/operator/handoffs/" + handoff.id + "/claim").then(function (data) {
        window.location.href = data.url;
      }).catch(function (error) { item.appendChild(api.element("div", "alert alert-error", error.message)); });
    });
    item.appendChild(button);
    return item;
  }

  refreshQueue();
  setInterval(refreshQueue, 5000);
})();
