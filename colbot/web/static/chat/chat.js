// colbot web chat: a small front end that keeps unsent messages until the server has taken them.
"use strict";
(function () {
  var KEY = "colbot.chat.";
  var MAX_LOG = 200;
  var MAX_BACKOFF_MS = 10000;
  // The server's "I am restarting" (1012): another process takes the page at once, so come back
  // soon, each page at its own moment so that they don't all arrive together.
  var SERVICE_RESTART = 1012;
  var RESTART_SPREAD_MS = 1000;
  var body = document.body;
  var words = body.dataset;
  var logEl = document.getElementById("log");
  var statusEl = document.getElementById("status");
  var form = document.getElementById("compose");
  var input = document.getElementById("text");
  var socket = null;
  var backoff = 500;

  function load(name, fallback) {
    try {
      var value = localStorage.getItem(KEY + name);
      return value === null ? fallback : JSON.parse(value);
    } catch (e) {
      return fallback;
    }
  }
  function save(name, value) {
    try { localStorage.setItem(KEY + name, JSON.stringify(value)); } catch (e) { /* full */ }
  }

  var state = {
    seq: load("seq", 0),
    lastId: load("lastId", 0),
    pending: load("pending", []),
    log: load("log", [])
  };

  function setStatus(text, online) {
    statusEl.textContent = text;
    body.classList.toggle("offline", !online);
  }

  function linkify(parent, text) {
    var pattern = /https?:\/\/[^\s<>"']+/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      parent.appendChild(link(match[0], match[0]));
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function link(label, url) {
    var a = document.createElement("a");
    a.textContent = label;
    if (/^https?:\/\//i.test(url)) { a.href = url; }
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  // Kept on the server for this browser's chat alone (its device cookie), so a reload or a
  // killed tab shows them again.
  function fileUrl(attachment) {
    return /^\/chat\/files\/[A-Za-z0-9_-]+$/.test(attachment.url || "") ? attachment.url : "";
  }

  function bubble(who) {
    var div = document.createElement("div");
    div.className = "bubble " + who;
    logEl.appendChild(div);
    return div;
  }

  function scroll() { window.scrollTo(0, document.body.scrollHeight); }

  function showMine(text) {
    bubble("me").textContent = text;
    scroll();
  }

  function hasSomethingToShow(message) {
    return Boolean(message.text || message.image || message.file ||
      (message.buttons && message.buttons.length) || (message.links && message.links.length));
  }

  function showBot(message) {
    if (message.menu) { setMenu(message.menu); }
    if (!hasSomethingToShow(message)) { return; }  // a bare menu update draws no bubble
    var div = bubble("bot");
    if (message.image) {
      var img = document.createElement("img");
      img.src = fileUrl(message.image);
      img.alt = message.image.filename;
      div.appendChild(img);
    }
    if (message.text) {
      var p = document.createElement("p");
      linkify(p, message.text);
      div.appendChild(p);
    }
    if (message.file) {
      var a = document.createElement("a");
      a.href = fileUrl(message.file);
      a.download = message.file.filename;
      a.textContent = "📎 " + message.file.filename;
      a.className = "file";
      div.appendChild(a);
    }
    var chips = document.createElement("div");
    chips.className = "chips";
    (message.buttons || []).forEach(function (row) {
      row.forEach(function (button) {
        if (button.url && !button.data) {
          chips.appendChild(link(button.label, button.url));
          return;
        }
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip";
        chip.textContent = button.label;
        chip.addEventListener("click", function () {
          showMine(button.label);
          remember({ mine: button.label });
          send({ type: "button", data: button.data });
        });
        chips.appendChild(chip);
      });
    });
    (message.links || []).forEach(function (button) {
      chips.appendChild(link(button.label, button.url));
    });
    if (chips.childNodes.length) { div.appendChild(chips); }
    scroll();
  }

  function remember(entry) {
    state.log.push(entry);
    if (state.log.length > MAX_LOG) { state.log = state.log.slice(-MAX_LOG); }
    save("log", state.log);
  }

  function send(frame) {
    state.seq += 1;
    frame.seq = state.seq;
    state.pending.push(frame);
    save("seq", state.seq);
    save("pending", state.pending);
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); }
  }

  function forget(seq) {
    state.pending = state.pending.filter(function (frame) { return frame.seq !== seq; });
    save("pending", state.pending);
  }

  // The conversation now lives in another browser (or this one took over another's): forget the
  // old one here so a shared computer shows nothing of it.
  function reset() {
    state.lastId = 0;
    state.pending = [];
    state.log = [];
    save("lastId", 0);
    save("pending", []);
    save("log", []);
    logEl.textContent = "";
  }

  function receive(frame) {
    if (frame.type === "moved_here") {
      reset();
    } else if (frame.type === "moved_away") {
      reset();
      showBot({ text: frame.text });
    } else if (frame.type === "taken") {
      forget(frame.seq);
    } else if (frame.type === "refused") {
      forget(frame.seq);
      showBot({ text: frame.text });
    } else if (frame.type === "menu") {
      setMenu(frame.commands);
    } else if (frame.type === "message") {
      if (frame.id > state.lastId) {
        var message = { text: frame.text, buttons: frame.buttons, links: frame.links };
        if (frame.image) { message.image = frame.image; }
        if (frame.file) { message.file = frame.file; }
        if (frame.menu) { message.menu = frame.menu; }
        showBot(message);
        if (hasSomethingToShow(message)) { remember({ bot: message }); }
        state.lastId = frame.id;
        save("lastId", state.lastId);
      }
      socket.send(JSON.stringify({ type: "ack", id: frame.id }));
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + location.host + "/chat/ws");
    socket.addEventListener("open", function () {
      backoff = 500;
      setStatus(words.online, true);
      // The first hello after a reload asks for the open question again, with live buttons.
      socket.send(JSON.stringify({ type: "hello", ack: state.lastId, reloaded: reloaded }));
      reloaded = false;
      state.pending.forEach(function (frame) { socket.send(JSON.stringify(frame)); });
    });
    socket.addEventListener("message", function (event) {
      try { receive(JSON.parse(event.data)); } catch (e) { /* ignore a bad frame */ }
    });
    socket.addEventListener("close", function (event) {
      if (event.code === SERVICE_RESTART) {
        setStatus(words.connecting, false);
        setTimeout(connect, 100 + Math.random() * RESTART_SPREAD_MS);
        return;
      }
      setStatus(words.offline, false);
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    say(text);
  });
  window.addEventListener("offline", function () { setStatus(words.offline, false); });

  state.log.forEach(function (entry) {
    if (entry.mine) { showMine(entry.mine); } else if (entry.bot) { showBot(entry.bot); }
  });
  var reloaded = state.log.length > 0;
  function say(text) {
    showMine(text);
    remember({ mine: text });
    send({ type: "text", text: text });
  }
  document.getElementById("move").addEventListener("click", function () { say("/move"); });

  // The command menu, like Telegram's: the commands this person may use (staff's for staff).
  var menuButton = document.getElementById("menu-button");
  var menuList = document.getElementById("menu");
  function setMenu(commands) {
    if (!Array.isArray(commands)) { return; }
    menuList.textContent = "";
    commands.forEach(function (item) {
      if (!Array.isArray(item) || typeof item[0] !== "string") { return; }
      var li = document.createElement("li");
      var pick = document.createElement("button");
      pick.type = "button";
      var name = document.createElement("strong");
      name.textContent = "/" + item[0];
      pick.appendChild(name);
      pick.appendChild(document.createTextNode(" " + String(item[1] || "")));
      pick.addEventListener("click", function () {
        toggleMenu(false);
        say("/" + item[0]);
      });
      li.appendChild(pick);
      menuList.appendChild(li);
    });
    menuButton.hidden = !commands.length;
  }
  function toggleMenu(open) {
    menuList.hidden = !open;
    menuButton.setAttribute("aria-expanded", open ? "true" : "false");
  }
  menuButton.addEventListener("click", function () { toggleMenu(menuList.hidden); });

  // Web Push, only when they tap the button: the browser asks their permission then, never on
  // opening the page. Without it, what colbot sends waits here in the chat.
  var notifyButton = document.getElementById("notify");
  var notifyStatus = document.getElementById("notify-status");
  var pushSupported = words.pushKey && window.isSecureContext && "serviceWorker" in navigator &&
    "PushManager" in window && "Notification" in window;

  function keyBytes(base64url) {
    var raw = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function showNotifying(on) {
    notifyButton.textContent = on ? words.notifyOff : words.notifyOn;
    notifyButton.dataset.on = on ? "yes" : "no";
    notifyButton.hidden = false;
  }
  function worker() {
    return navigator.serviceWorker.register("/chat/sw.js", { scope: "/chat" }).then(function () {
      return navigator.serviceWorker.ready;
    });
  }
  function postSubscription(method, subscription) {
    return fetch("/chat/push", {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(subscription)
    }).then(function (response) {
      if (!response.ok) { throw new Error("push " + response.status); }
    });
  }
  function turnOn() {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        notifyStatus.textContent = words.notifyDenied;
        notifyButton.hidden = true;
        return undefined;
      }
      return worker().then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(words.pushKey)
        });
      }).then(function (subscription) {
        return postSubscription("POST", subscription.toJSON());
      }).then(function () {
        showNotifying(true);
        notifyStatus.textContent = words.notifyDone;
      });
    });
  }
  function turnOff() {
    return worker().then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) {
      var endpoint = subscription ? subscription.endpoint : null;
      var unsubscribed = subscription ? subscription.unsubscribe() : Promise.resolve(true);
      return unsubscribed.then(function () {
        return postSubscription("DELETE", { endpoint: endpoint });
      });
    }).then(function () {
      showNotifying(false);
      notifyStatus.textContent = words.notifyStopped;
    });
  }
  if (pushSupported && Notification.permission !== "denied") {
    showNotifying(false);
    navigator.serviceWorker.getRegistration("/chat").then(function (registration) {
      return registration ? registration.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      if (subscription && Notification.permission === "granted") { showNotifying(true); }
    }).catch(function () { /* shown as off */ });
    notifyButton.addEventListener("click", function () {
      notifyButton.disabled = true;
      var change = notifyButton.dataset.on === "yes" ? turnOff() : turnOn();
      change.catch(function () {
        notifyStatus.textContent = words.notifyUnavailable;
        notifyButton.hidden = true;
      }).then(function () { notifyButton.disabled = false; });
    });
  }

  var start = new URLSearchParams(location.search).get("start");
  var move = /^#move=(\d{6})$/.exec(location.hash);
  if (move) {
    history.replaceState(null, "", location.pathname);
    say("/move " + move[1]);
  } else if (start && /^[A-Za-z0-9_-]{1,64}$/.test(start)) {
    send({ type: "text", text: "/start " + start });
    history.replaceState(null, "", location.pathname);
  } else if (!state.log.length && !state.pending.length && !state.lastId) {
    send({ type: "text", text: "/start" });
  }
  connect();
})();
