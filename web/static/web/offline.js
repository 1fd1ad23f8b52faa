/* The pages' side of working with no connection (social workers; see outbox.js for what the phone
 * keeps). Every sentence shown comes from the page (data-* attributes written by the templates in
 * the reader's language): this file holds no text a person reads. */
(function () {
  "use strict";

  var Outbox = window.FosterOutbox;
  if (!Outbox || !window.indexedDB) { return; }

  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    return element ? element.getAttribute("content") : null;
  }

  var user = meta("offline-user");
  var box = document.getElementById("offline-box");

  function text(name, count) {
    var value = (box && box.getAttribute("data-" + name)) || "";
    return value.replace("__N__", String(count));
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content) { node.textContent = content; }
    return node;
  }

  // --- What the box on My visits and the form shows --------------------------------------------

  var login = false;

  function render() {
    if (!box) { return Promise.resolve(); }
    return Outbox.all().then(function (records) {
      var mine = records.filter(function (r) { return r.username === user; });
      var waiting = mine.filter(function (r) { return r.state === "waiting"; });
      var conflicts = mine.filter(function (r) { return r.state === "conflict"; });
      box.textContent = "";
      box.hidden = navigator.onLine && !waiting.length && !conflicts.length && !sessionStorage.getItem("offline-saved");
      box.setAttribute("data-waiting", String(waiting.length));
      box.setAttribute("data-conflicts", String(conflicts.length));
      if (!navigator.onLine) {
        box.appendChild(element("p", "offline-state", text("offline")));
      }
      if (sessionStorage.getItem("offline-saved")) {
        box.appendChild(element("p", "offline-saved", text("saved")));
        sessionStorage.removeItem("offline-saved");
      }
      if (waiting.length) {
        var line = element("p", "offline-waiting", text(waiting.length === 1 ? "waiting-one" : "waiting-many", waiting.length));
        line.setAttribute("data-testid", "offline-waiting");
        box.appendChild(line);
        var list = element("ul", "offline-list");
        waiting.forEach(function (r) { list.appendChild(element("li", "", r.label + " · " + r.visited_on)); });
        box.appendChild(list);
        if (login) { box.appendChild(element("p", "offline-login", text("login"))); }
        var button = element("button", "button", text("send"));
        button.type = "button";
        button.setAttribute("data-testid", "offline-send");
        button.addEventListener("click", function () { sendNow(); });
        box.appendChild(button);
      }
      conflicts.forEach(function (r) {
        var item = element("div", "offline-conflict");
        item.setAttribute("data-testid", "offline-conflict");
        item.setAttribute("data-code", r.code || "");
        item.appendChild(element("p", "", text("conflict") + " " + r.label + " · " + r.visited_on));
        item.appendChild(element("p", "", r.message));
        var read = element("button", "button", text("read"));
        read.type = "button";
        read.setAttribute("data-testid", "offline-conflict-read");
        read.addEventListener("click", function () { Outbox.remove(r.client_id).then(render); });
        item.appendChild(read);
        box.appendChild(item);
      });
    });
  }

  function sendNow() {
    if (!navigator.onLine) { return render(); }
    return Outbox.send({ refused: text("refused") }).then(function (result) {
      login = result.login;
      return render();
    });
  }

  // --- Recording a visit: sent at once when possible, else kept on the phone -------------------

  function keep(form) {
    var checked = form.querySelector('input[name="outcome"]:checked');
    var record = {
      client_id: form.elements.client_id.value,
      recorded_at: form.elements.recorded_at.value,
      visit: form.getAttribute("data-visit"),
      label: form.getAttribute("data-label"),
      username: user,
      visited_on: form.elements.visited_on.value,
      outcome: checked ? checked.value : "",
      notes: form.elements.notes.value,
      state: "waiting"
    };
    return Outbox.put(record).then(function () {
      sessionStorage.setItem("offline-saved", "1");
      return navigator.serviceWorker && navigator.serviceWorker.ready.then(function (registration) {
        return registration.sync && registration.sync.register("visits-outbox");
      }).catch(function () { return null; });
    }).then(function () {
      window.location.assign(form.getAttribute("data-after"));
    });
  }

  function watchForm(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // One id per record, made once: a second try of the same record is the same record.
      if (!form.elements.client_id.value) {
        form.elements.client_id.value = Outbox.uuid();
        form.elements.recorded_at.value = new Date().toISOString();
      }
      var checked = form.querySelector('input[name="outcome"]:checked');
      if (!navigator.onLine) {
        if (!checked || !form.elements.visited_on.value) {
          var missing = form.querySelector("[data-offline-missing]");
          if (missing) { missing.hidden = false; }
          return;
        }
        keep(form);
        return;
      }
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Visit-Form": "fetch" }
      }).then(function (response) {
        if (response.status === 204) {
          window.location.assign(form.getAttribute("data-after"));
        } else if (response.status === 400) {
          // The errors are shown beside their fields as without this script; nothing was written,
          // and the same client_id goes again.
          form.submit();
        } else {
          keep(form); // a session gone, a page kept from days ago: the outbox sends it later
        }
      }, function () {
        if (checked && form.elements.visited_on.value) { keep(form); } else { form.submit(); }
      });
    });
  }

  // --- Keeping My visits and the forms of its open visits on the phone -------------------------

  function keepAssets() {
    if (!window.caches) { return Promise.resolve(); }
    var urls = [];
    document.querySelectorAll('link[rel="stylesheet"], script[src], link[rel="icon"]').forEach(function (node) {
      var url = node.href || node.src;
      if (url && url.indexOf(window.location.origin + "/static/") === 0) { urls.push(url); }
    });
    return caches.keys().then(function (names) {
      var name = names.filter(function (n) { return n.indexOf("fosterreg-static-") === 0; })[0];
      return name ? caches.open(name).then(function (cache) { return cache.addAll(urls); }) : null;
    }).catch(function () { return null; });
  }

  function keepVisitPages() {
    var links = Array.prototype.map.call(document.querySelectorAll("a[data-offline-keep]"), function (a) {
      return new URL(a.href).pathname;
    });
    var listPath = window.location.pathname;
    return caches.open(Outbox.PAGES).then(function (cache) {
      return cache.keys().then(function (requests) {
        // A visit no longer open is no longer kept.
        var stale = requests.map(function (r) { return new URL(r.url).pathname; }).filter(function (p) {
          return p !== listPath && links.indexOf(p) < 0;
        });
        return Promise.all(stale.map(function (p) { return cache.delete(p); }));
      }).then(function () {
        // This list too: the first page of a session is not yet served through the worker.
        // One at a time: on a 2G link parallel requests only queue up, and the server is spared.
        return links.concat([listPath]).reduce(function (previous, path) {
          return previous.then(function () {
            return cache.match(path, { ignoreVary: true });
          }).then(function (hit) {
            if (hit) { return null; }
            return fetch(path, { credentials: "same-origin" }).then(function (response) {
              if (response.ok && !response.redirected) { return cache.put(path, response); }
              return null;
            });
          });
        }, Promise.resolve());
      });
    }).catch(function () { return null; });
  }

  function start() {
    // Logging out erases the kept pages first.
    document.querySelectorAll("form[data-offline-logout]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        Outbox.erase(false).then(function () { form.submit(); }, function () { form.submit(); });
      });
    });
    if (!user) {
      // Nobody is logged in on this page (logged out, or the session ended): nothing is kept.
      Outbox.erase(false);
      return;
    }
    var ready = Outbox.expired().then(function (old) {
      if (!navigator.onLine) {
        // 14 days without a login: what the phone kept goes, records not sent included.
        return old ? Outbox.erase(true).then(function () { return false; }) : true;
      }
      // Online: when this session logged in, the start of the 14 days.
      return fetch("/offline/session/", { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        return response.status === 200 ? response.json() : null;
      }).then(function (session) {
        return session && session.login_at ? Outbox.setMeta("loginAt", session.login_at) : null;
      }).then(function () { return true; }, function () { return true; });
    });
    ready.then(function (keepGoing) {
      if (!keepGoing) { return null; }
      document.querySelectorAll("form[data-offline-form]").forEach(watchForm);
      window.addEventListener("online", sendNow);
      window.addEventListener("offline", render);
      // What waits is sent first; then the pages are kept, one request after another.
      return sendNow().then(function () {
        if (!("serviceWorker" in navigator)) { return null; }
        navigator.serviceWorker.addEventListener("message", function (event) {
          if (event.data && event.data.outbox) { login = event.data.outbox.login; render(); }
        });
        return navigator.serviceWorker.register(meta("offline-worker"), { scope: "/" }).then(function () {
          return navigator.serviceWorker.ready;
        }).then(function () {
          if (!navigator.onLine) { return null; }
          return keepAssets().then(function () {
            return document.querySelector("[data-offline-list]") ? keepVisitPages() : null;
          });
        });
      });
    }).catch(function () { return null; });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
