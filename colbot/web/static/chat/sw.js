// colbot web chat's service worker: shows a Web Push notification, and opens the chat on a tap.
"use strict";

var CHAT_PATH = "/chat";

function chatWindows() {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (all) {
    return all.filter(function (client) { return new URL(client.url).pathname === CHAT_PATH; });
  });
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  event.waitUntil(chatWindows().then(function (windows) {
    // The chat is open and in view: the message is already on the screen.
    if (windows.some(function (client) { return client.visibilityState === "visible"; })) {
      return undefined;
    }
    return self.registration.showNotification(data.title || "colbot", {
      body: data.body || "",
      tag: data.tag || "colbot",
      data: { url: data.url || CHAT_PATH }
    });
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || CHAT_PATH;
  event.waitUntil(chatWindows().then(function (windows) {
    if (windows.length && windows[0].focus) { return windows[0].focus(); }
    return self.clients.openWindow(url);
  }));
});
