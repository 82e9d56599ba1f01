// Progressive enhancement only: every page works without this file.
// Loaded with `defer`, so the document is parsed when this runs.
(function () {
  "use strict";
  var body = document.body;
  body.classList.add("js-enabled");
  if ("noModule" in HTMLScriptElement.prototype) {
    body.classList.add("govuk-frontend-supported");
  }
  if (window.GOVUKFrontend && window.GOVUKFrontend.initAll) {
    window.GOVUKFrontend.initAll();
  }
  // "Cases near me": a phone can give its position instead of a typed postcode.
  var finder = document.querySelector("[data-th-use-position]");
  if (finder && navigator.geolocation) {
    finder.hidden = false;
    finder.addEventListener("click", function () {
      var form = finder.form;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.lat.value = position.coords.latitude.toFixed(6);
          form.elements.lon.value = position.coords.longitude.toFixed(6);
          form.elements.postcode.value = "";
          form.submit();
        },
        function () {
          finder.hidden = true; // refused or unavailable: the postcode still works
        },
        { timeout: 15000 }
      );
    });
  }

  keepWhatWasTyped();

  // What is typed in a form (staff or resident) is kept in this tab's
  // sessionStorage as it is typed, keyed by where the form sends it, and put
  // back when the page loads again: after a send that failed on a poor
  // connection, a reload, or going back. It is forgotten once the server has
  // taken the form (it answered with a redirect, as every form here does on
  // success). Passwords, one-time codes, files and hidden fields are never
  // kept, nor any form or field marked `data-th-no-keep`.
  function keepWhatWasTyped() {
    var PREFIX = "th-typed:";
    var SENT = "th-typed-sent";
    var store;
    try {
      store = window.sessionStorage;
      store.setItem(SENT + "-test", "1");
      store.removeItem(SENT + "-test");
    } catch (e) {
      return; // storage refused (private mode, full): the forms still work
    }
    var sent = store.getItem(SENT);
    if (sent) {
      store.removeItem(SENT);
      var navigation = window.performance && performance.getEntriesByType
        ? performance.getEntriesByType("navigation")[0]
        : null;
      if (navigation && navigation.redirectCount > 0) {
        store.removeItem(sent); // the server took it and sent us on
      }
    }
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if ((form.getAttribute("method") || "").toLowerCase() !== "post") continue;
      if (form.hasAttribute("data-th-no-keep")) continue;
      if (form.querySelector("input[type=password]")) continue; // sign-in forms
      keepForm(form);
    }

    function keyOf(form) {
      var action = new URL(form.getAttribute("action") || "", window.location.href);
      return PREFIX + action.pathname + (form.id ? "#" + form.id : "");
    }

    function kept(field) {
      if (!field.name || field.disabled || field.hasAttribute("data-th-no-keep")) return false;
      var type = (field.type || "").toLowerCase();
      if (/^(password|file|hidden|submit|button|reset|image)$/.test(type)) return false;
      var autocomplete = (field.getAttribute("autocomplete") || "").toLowerCase();
      return !/one-time-code|password|cc-/.test(autocomplete);
    }

    function read(form) {
      var values = {};
      for (var i = 0; i < form.elements.length; i++) {
        var field = form.elements[i];
        if (!kept(field)) continue;
        var list = values[field.name] || (values[field.name] = []);
        var type = (field.type || "").toLowerCase();
        if (type === "radio" || type === "checkbox") {
          if (field.checked) list.push(field.value);
        } else if (field.tagName === "SELECT" && field.multiple) {
          for (var j = 0; j < field.options.length; j++) {
            if (field.options[j].selected) list.push(field.options[j].value);
          }
        } else {
          list.push(field.value);
        }
      }
      return values;
    }

    function restore(form, values) {
      var seen = {};
      for (var i = 0; i < form.elements.length; i++) {
        var field = form.elements[i];
        if (!kept(field) || !Object.prototype.hasOwnProperty.call(values, field.name)) continue;
        var list = values[field.name];
        var type = (field.type || "").toLowerCase();
        if (type === "radio" || type === "checkbox") {
          field.checked = list.indexOf(field.value) !== -1;
        } else if (field.tagName === "SELECT" && field.multiple) {
          for (var j = 0; j < field.options.length; j++) {
            field.options[j].selected = list.indexOf(field.options[j].value) !== -1;
          }
        } else {
          var n = seen[field.name] || 0;
          seen[field.name] = n + 1;
          if (n < list.length) field.value = list[n];
        }
      }
    }

    function keepForm(form) {
      var key = keyOf(form);
      var saved = store.getItem(key);
      if (saved) {
        try {
          restore(form, JSON.parse(saved));
        } catch (e) {
          store.removeItem(key);
        }
      }
      function save() {
        try {
          store.setItem(key, JSON.stringify(read(form)));
        } catch (e) {
          // full: what was typed is still on the page
        }
      }
      form.addEventListener("input", save);
      form.addEventListener("change", save);
      form.addEventListener("submit", function () {
        save();
        store.setItem(SENT, key);
      });
    }
  }
})();
