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
})();
