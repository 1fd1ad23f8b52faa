/* The register's service worker (served by web/views/offline.py, version {{ version }}).
 * Keeps My visits and the form of each open visit, as last seen online, so that they open with no
 * connection; keeps the styles and scripts they use; sends visits recorded offline when the
 * connection returns (Background Sync where the browser has it; the pages also send on load).
 * Nothing else is kept: every other page, and every API answer, goes to the network only. */
"use strict";

importScripts("{{ outbox_url|escapejs }}");

var VERSION = "{{ version|escapejs }}";
var STATIC = "fosterreg-static-" + VERSION;
var ASSETS = {{ assets|safe }};
var VISITS = "{{ visits_url|escapejs }}";
// The pages kept: My visits and the form to record one visit.
var KEPT = new RegExp("^" + VISITS.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "([0-9a-f-]{36}/record/)?$");

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("fosterreg-static-") === 0 && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromCache(request) {
  return FosterOutbox.expired().then(function (old) {
    if (old) {
      // 14 days without a login: nothing is shown, everything is erased.
      return FosterOutbox.erase(true).then(function () { return Response.error(); });
    }
    return caches.open(FosterOutbox.PAGES).then(function (cache) {
      // The kept copy was stored under its path alone: the headers it varies on are not compared.
      var options = { ignoreSearch: true, ignoreVary: true };
      return cache.match(new URL(request.url).pathname, options).then(function (hit) {
        return hit || cache.match(VISITS, options);
      }).then(function (hit) { return hit || Response.error(); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    // Hashed names never change: the phone's copy first.
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode === "navigate" && KEPT.test(url.pathname)) {
    // The network first (the page as it is now), the phone's copy when there is none.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(FosterOutbox.PAGES).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }, function () { return fromCache(request); }));
  }
});

function tellPages(result) {
  return self.clients.matchAll({ type: "window" }).then(function (windows) {
    windows.forEach(function (client) { client.postMessage({ outbox: result }); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== "visits-outbox") { return; }
  event.waitUntil(FosterOutbox.send({}).then(function (result) {
    return tellPages(result).then(function () {
      // Background Sync tries again later when the network failed; a session gone waits for a login.
      if (result.offline) { throw new Error("offline"); }
    });
  }));
});
