/* The phone's store of visits recorded with no connection, and their sending. Shared by the pages
 * (offline.js) and the service worker (sw.js), so both send the same way.
 *
 * IndexedDB "fosterreg", store "outbox": one row per record, keyed by its client_id (a UUID made
 * once, so that a record sent twice is written once by the server), with the username of who
 * recorded it (only their session sends it), the visit, what was recorded, when (recorded_at),
 * and its state: "waiting" (not sent yet) or "conflict" (the server kept it as a late record, or
 * refused it: the sentence it gave is shown until the person says they have read it).
 * Store "meta": "loginAt" (seconds; the start of the last session seen online), for the 14-day
 * erase. Cache "fosterreg-pages": the saved pages; "fosterreg-static-*": styles and scripts.
 */
(function (scope) {
  "use strict";

  var DB = "fosterreg";
  var PAGES = "fosterreg-pages";
  var KEEP_DAYS = 14;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("outbox", { keyPath: "client_id" });
        db.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result = work(tx.objectStore(store));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() { return run("outbox", "readonly", function (s) { return s.getAll(); }); }
  function put(record) { return run("outbox", "readwrite", function (s) { s.put(record); }); }
  function remove(id) { return run("outbox", "readwrite", function (s) { s.delete(id); }); }
  function getMeta(key) { return run("meta", "readonly", function (s) { return s.get(key); }); }
  function setMeta(key, value) { return run("meta", "readwrite", function (s) { s.put(value, key); }); }

  function uuid() {
    if (scope.crypto && scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    var b = scope.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* The saved pages: erased at logout and after KEEP_DAYS without a login. Records not yet sent
   * are the person's own work and stay (sent only by their session) unless `everything`. */
  function erase(everything) {
    var done = scope.caches ? scope.caches.delete(PAGES) : Promise.resolve();
    if (!everything) { return done; }
    return done.then(function () {
      return new Promise(function (resolve) {
        var request = scope.indexedDB.deleteDatabase(DB);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    });
  }

  /* After KEEP_DAYS without a login everything goes, records not sent included. */
  function expired() {
    return getMeta("loginAt").then(function (loginAt) {
      return Boolean(loginAt) && Date.now() / 1000 - loginAt > KEEP_DAYS * 86400;
    });
  }

  function message(body, fallback) {
    if (body && body.detail) { return String(body.detail); }
    if (body && typeof body === "object") {
      var parts = [];
      Object.keys(body).forEach(function (field) {
        var value = body[field];
        parts.push(Array.isArray(value) ? value.join(" ") : String(value));
      });
      if (parts.length) { return parts.join(" "); }
    }
    return fallback;
  }

  /* Send the waiting records of whoever is logged in. Resolves to {sent, conflicts, login, offline}:
   * `login` when no session can send them (they stay), `offline` when the network failed (they stay).
   * Records are sent one by one; a retry of one already written is answered 200 and nothing is
   * written twice (client_id). */
  function send(options) {
    var base = (options && options.base) || "";
    var refused = (options && options.refused) || "";
    var outcome = { sent: 0, conflicts: 0, login: false, offline: false };
    return all().then(function (records) {
      var waiting = records.filter(function (r) { return r.state === "waiting"; });
      if (!waiting.length) { return outcome; }
      return scope.fetch(base + "/offline/session/", { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status !== 200) { outcome.login = true; return null; }
          return response.json();
        }, function () { outcome.offline = true; return null; })
        .then(function (session) {
          if (!session) { return outcome; }
          setMeta("loginAt", session.login_at);
          var mine = waiting.filter(function (r) { return r.username === session.username; });
          outcome.login = mine.length < waiting.length;
          return mine.reduce(function (previous, record) {
            return previous.then(function (stop) {
              if (stop) { return true; }
              return sendOne(base, record, session.csrf_token, refused, outcome);
            });
          }, Promise.resolve(false)).then(function () { return outcome; });
        });
    });
  }

  function sendOne(base, record, token, refused, outcome) {
    var body = {
      visited_on: record.visited_on,
      outcome: record.outcome,
      notes: record.notes,
      client_id: record.client_id,
      recorded_at: record.recorded_at
    };
    return scope.fetch(base + "/api/v1/visits/" + record.visit + "/complete/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.ok) {
        outcome.sent += 1;
        return remove(record.client_id).then(function () { return false; });
      }
      if (response.status === 400 || response.status === 404 || response.status === 409) {
        // Kept by the server as a late record (409), or refused: the person reads why, then clears it.
        return response.json().catch(function () { return null; }).then(function (answer) {
          record.state = "conflict";
          record.code = (answer && answer.code) || String(response.status);
          record.message = message(answer, refused);
          outcome.conflicts += 1;
          return put(record).then(function () { return false; });
        });
      }
      if (response.status === 401 || response.status === 403) { outcome.login = true; }
      return true; // a server error or a session gone: keep this and the rest for later
    }, function () {
      outcome.offline = true;
      return true;
    });
  }

  scope.FosterOutbox = {
    PAGES: PAGES,
    all: all,
    put: put,
    remove: remove,
    getMeta: getMeta,
    setMeta: setMeta,
    uuid: uuid,
    erase: erase,
    expired: expired,
    send: send
  };
})(self);
