// Maps, with Leaflet: marking a place for a location question, and the map of
// public reports. Progressive enhancement only: without this file the
// question is a text box (a postcode or a description) and the reports are a
// list with a drawn map. See docs/maps.md.
//
// With no tile URL configured, the maps draw the councils' boundaries alone
// (fetched from Townhall), so they need no internet. Every text a person
// reads comes from the page's data-text-* attributes, translated there.
(function () {
  "use strict";
  var L = window.L;
  if (!L || !document.querySelector) {
    return;
  }

  function text(element, name, values) {
    var words = element.getAttribute("data-text-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      words = words.split("%(" + key + ")s").join(values[key]);
    });
    return words;
  }

  function make(tag, className, parent) {
    var element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (parent) {
      parent.appendChild(element);
    }
    return element;
  }

  // --- where a point is, from the boundaries the map draws ---------------------

  function ringHolds(ring, lon, lat) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  function polygonHolds(rings, lon, lat) {
    if (!ringHolds(rings[0], lon, lat)) {
      return false;
    }
    for (var i = 1; i < rings.length; i++) {
      if (ringHolds(rings[i], lon, lat)) {
        return false;
      }
    }
    return true;
  }

  function featureHolds(feature, lon, lat) {
    var geometry = feature.geometry || {};
    if (geometry.type === "Polygon") {
      return polygonHolds(geometry.coordinates, lon, lat);
    }
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.some(function (rings) {
        return polygonHolds(rings, lon, lat);
      });
    }
    return false;
  }

  // The names of the areas holding a point, smallest first (wards last in the
  // document, so reversed), or null when it is outside them all.
  function areaNames(features, lon, lat) {
    var names = features
      .filter(function (feature) {
        return featureHolds(feature, lon, lat);
      })
      .map(function (feature) {
        return feature.properties.name;
      });
    return names.length ? names.reverse() : null;
  }

  // --- the map itself -------------------------------------------------------------

  var GREAT_BRITAIN = [54.5, -2.5];

  function baseMap(element, holder, label, role) {
    var map = L.map(holder, {
      zoomControl: false,
      attributionControl: false,
      keyboardPanDelta: 60,
    });
    L.control
      .zoom({ zoomInTitle: text(element, "zoom-in"), zoomOutTitle: text(element, "zoom-out") })
      .addTo(map);
    var tiles = element.getAttribute("data-tiles-url");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
      var credit = element.getAttribute("data-tiles-attribution");
      if (credit) {
        var attribution = L.control.attribution({ prefix: false }).addTo(map);
        attribution.addAttribution(credit.replace(/[<>&"]/g, ""));
      }
    }
    holder.setAttribute("aria-label", label);
    holder.setAttribute("role", role);
    return map;
  }

  // Leaflet measures the map once; when the page around it changes (a line of
  // text, a scroll bar appearing), the middle it computes would no longer be
  // the middle shown, under the cross. It is measured again whenever it changes.
  function followSize(map, holder) {
    if (window.ResizeObserver) {
      new window.ResizeObserver(function () {
        map.invalidateSize();
      }).observe(holder);
    }
  }

  function boundaryStyle(feature) {
    var ward = feature.properties.type === "ward";
    return {
      color: "#0b0c0c",
      weight: ward ? 1 : 3,
      opacity: ward ? 0.6 : 0.9,
      fillColor: "#ffffff",
      fillOpacity: ward ? 0 : 0.15,
      interactive: false,
    };
  }

  function fetchJson(url, options) {
    return window.fetch(url, options).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  // The boundaries, drawn on the map: a promise of their features (none when
  // they could not be had). A failure of the network or of the server is tried
  // again twice, a little later each time; a slow answer is simply waited for.
  // `fit(layer)` is called once they are drawn, to frame them if it is fitting.
  var BOUNDARY_RETRIES_MS = [1000, 3000];

  function fetchBoundaries(url, attempt) {
    function again() {
      if (attempt >= BOUNDARY_RETRIES_MS.length) {
        return [];
      }
      return later(BOUNDARY_RETRIES_MS[attempt]).then(function () {
        return fetchBoundaries(url, attempt + 1);
      });
    }
    return fetchJson(url, { credentials: "same-origin" }).then(function (answer) {
      if (answer.ok) {
        return answer.body.features || [];
      }
      return answer.status >= 500 ? again() : [];
    }, again);
  }

  function later(milliseconds) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, milliseconds);
    });
  }

  function loadBoundaries(element, map, fit) {
    return fetchBoundaries(element.getAttribute("data-boundaries-url"), 0)
      .catch(function () {
        return [];
      })
      .then(function (features) {
        if (features.length) {
          var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
            style: boundaryStyle,
          }).addTo(map);
          fit(layer);
        }
        return features;
      });
  }

  // --- a location question ------------------------------------------------------

  function hiddenInput(form, name) {
    var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
    if (!input) {
      input = make("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    return input;
  }

  function button(label, parent, secondary) {
    var element = make("button", "govuk-button" + (secondary ? " govuk-button--secondary" : ""), parent);
    element.type = "button";
    element.textContent = label;
    return element;
  }

  function locationMap(element) {
    var id = element.getAttribute("data-question");
    var form = element.closest("form");
    if (!id || !form) {
      return;
    }
    var tiled = !!element.getAttribute("data-tiles-url");
    L.Icon.Default.imagePath = element.getAttribute("data-leaflet-images");

    var heading = make("h2", "govuk-heading-s", element);
    heading.textContent = text(element, "heading");
    var help = make("p", "govuk-hint", element);
    help.id = id + "-map-help";
    help.textContent = text(element, "help");

    // The postcode search: a text box and a button (no nested form).
    var search = make("div", "govuk-form-group th-location-map__search", element);
    var searchLabel = make("label", "govuk-label govuk-label--s", search);
    searchLabel.setAttribute("for", id + "-map-postcode");
    searchLabel.textContent = text(element, "search-label");
    var searchRow = make("div", "th-location-map__row", search);
    var searchInput = make("input", "govuk-input govuk-input--width-10", searchRow);
    searchInput.id = id + "-map-postcode";
    searchInput.type = "text";
    searchInput.autocomplete = "postal-code";
    searchInput.spellcheck = false;
    var searchButton = button(text(element, "search"), searchRow, true);

    var holder = make("div", "th-location-map__map", element);
    holder.id = id + "-map";
    holder.setAttribute("aria-describedby", help.id);
    var actions = make("div", "govuk-button-group", element);
    var pinHere = button(text(element, "pin-here"), actions, true);
    var locate = navigator.geolocation ? button(text(element, "locate"), actions, true) : null;
    var remove = button(text(element, "remove"), actions, true);
    var status = make("p", "govuk-body th-location-map__status", element);
    status.setAttribute("role", "status");
    status.id = id + "-map-status";

    var fields = {
      foundBy: hiddenInput(form, id + "-found-by"),
      lon: hiddenInput(form, id + "-lon"),
      lat: hiddenInput(form, id + "-lat"),
      postcode: hiddenInput(form, id + "-postcode"),
    };
    var features = []; // the boundaries, once they have come
    var marker = null;
    var placeWords = ""; // the server's words for a postcode found, kept for the status
    var map = baseMap(element, holder, text(element, "map"), "application");
    make("span", "th-location-map__cross", holder).setAttribute("aria-hidden", "true");

    // The resident's latest action on the map (a pin put down, moved or
    // removed, a lookup started): a lookup (postcode search or the device's
    // position) answering after the resident has done something else is ignored.
    var latest = 0;
    // The lookups under way, and the button that sent the page during one.
    var pending = 0;
    var waiting = null;

    function describe(latlng) {
      var where = latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5);
      var names = features.length ? areaNames(features, latlng.lng, latlng.lat) : [];
      if (placeWords) {
        status.textContent = text(element, "found", { place: placeWords });
      } else if (names === null) {
        status.textContent = text(element, "pinned-outside", { place: where });
      } else {
        status.textContent = text(element, "pinned", {
          place: names.length ? where + " (" + names.join(", ") + ")" : where,
        });
      }
    }

    // The hidden fields are written here, at once, whenever the pin is put
    // down or moved: what the page sends never waits for anything else.
    function pin(latlng, foundBy, postcode, found) {
      latest += 1;
      if (!marker) {
        marker = L.marker(latlng, {
          draggable: true,
          keyboard: false,
          alt: text(element, "pin"),
          title: text(element, "pin"),
        }).addTo(map);
        marker.on("dragend", function () {
          pin(marker.getLatLng(), "map_pin");
        });
      }
      marker.setLatLng(latlng);
      fields.foundBy.value = foundBy;
      fields.lon.value = latlng.lng.toFixed(6);
      fields.lat.value = latlng.lat.toFixed(6);
      fields.postcode.value = foundBy === "postcode" ? postcode : "";
      placeWords = found || "";
      remove.hidden = false;
      describe(latlng);
    }

    function unpin() {
      latest += 1;
      if (marker) {
        map.removeLayer(marker);
        marker = null;
      }
      Object.keys(fields).forEach(function (key) {
        fields[key].value = "";
      });
      placeWords = "";
      remove.hidden = true;
      status.textContent = text(element, "no-pin");
    }

    // A lookup: `run(settle)` starts it and calls `settle(apply)` when it has
    // answered, with `apply` a function putting the answer on the map (or null
    // when it failed, having said so in the status line).
    function lookup(run) {
      latest += 1;
      var ticket = latest;
      pending += 1;
      run(function (apply) {
        var current = ticket === latest;
        if (current && apply) {
          apply();
        }
        pending -= 1;
        if (pending === 0 && waiting) {
          var submitter = waiting.submitter;
          waiting = null;
          if (apply || !current) {
            send(submitter);
          }
        }
      });
    }

    // Continue during a lookup: the page is sent once it has answered, with its
    // pin, rather than at once without it. If it fails, the status line says so
    // and the page waits for the resident.
    form.addEventListener("submit", function (event) {
      if (pending > 0) {
        event.preventDefault();
        waiting = { submitter: event.submitter || null };
      }
    });

    function send(submitter) {
      if (typeof form.requestSubmit !== "function") {
        form.submit();
      } else if (submitter) {
        form.requestSubmit(submitter);
      } else {
        form.requestSubmit();
      }
    }

    // The centre, once the map has stopped moving (arrow keys glide it).
    var moving = false;
    map.on("movestart", function () {
      moving = true;
    });
    map.on("moveend", function () {
      moving = false;
    });
    function pinAtCentre() {
      if (moving) {
        map.once("moveend", pinAtCentre);
      } else {
        pin(map.getCenter(), "map_pin");
      }
    }

    map.on("click", function (event) {
      pin(event.latlng, "map_pin");
    });
    holder.addEventListener("keydown", function (event) {
      if (event.target === holder && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        pinAtCentre();
      }
    });
    pinHere.addEventListener("click", pinAtCentre);
    remove.addEventListener("click", function () {
      unpin();
      holder.focus();
    });

    function find() {
      var postcode = searchInput.value.trim();
      if (!postcode) {
        searchInput.focus();
        return;
      }
      var body = new URLSearchParams();
      body.set("postcode", postcode);
      var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
      status.textContent = text(element, "searching");
      lookup(function (settle) {
        fetchJson(element.getAttribute("data-postcode-url"), {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": token ? token.value : "" },
          body: body,
        })
          .then(function (answer) {
            if (!answer.ok) {
              status.textContent = answer.body.error || text(element, "search-failed");
              settle(null);
              return;
            }
            settle(function () {
              var latlng = L.latLng(answer.body.lat, answer.body.lon);
              map.setView(latlng, Math.max(map.getZoom(), 15));
              pin(latlng, "postcode", answer.body.postcode, answer.body.place);
            });
          })
          .catch(function () {
            status.textContent = text(element, "search-failed");
            settle(null);
          });
      });
    }
    searchButton.addEventListener("click", find);
    searchInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // search, not send the page
        find();
      }
    });

    if (locate) {
      locate.addEventListener("click", function () {
        status.textContent = text(element, "locating");
        lookup(function (settle) {
          navigator.geolocation.getCurrentPosition(
            function (position) {
              settle(function () {
                var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
                map.setView(latlng, Math.max(map.getZoom(), 16));
                pin(latlng, "device");
              });
            },
            function () {
              status.textContent = text(element, "locate-failed");
              settle(null);
            },
            { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
          );
        });
      });
    }

    element.hidden = false;
    map.invalidateSize();
    followSize(map, holder);

    // The pin the page came back with (or none), at once: it must not wait for
    // the boundaries, nor be lost if they never come.
    var foundBy = element.getAttribute("data-pin-found-by");
    var lon = parseFloat(element.getAttribute("data-pin-lon"));
    var lat = parseFloat(element.getAttribute("data-pin-lat"));
    if (foundBy && isFinite(lon) && isFinite(lat)) {
      var latlng = L.latLng(lat, lon);
      map.setView(latlng, 15);
      pin(latlng, foundBy, element.getAttribute("data-pin-postcode") || "");
    } else {
      map.setView(GREAT_BRITAIN, 6); // until the boundaries frame the councils' area
      unpin();
    }

    // The boundaries arrive when they arrive: they frame the map unless the
    // resident has already put a pin down, and name the areas around the pin.
    // They never move nor remove it.
    loadBoundaries(element, map, function (layer) {
      if (!marker) {
        map.fitBounds(layer.getBounds());
      }
    }).then(function (found) {
      features = found;
      if (marker) {
        describe(marker.getLatLng());
      } else if (!found.length && !tiled && !pending) {
        // Nothing to draw: the text box alone says where, as without JavaScript.
        map.remove();
        element.hidden = true;
      }
    });
  }

  // --- the map of public reports ---------------------------------------------

  function reportsMap(element) {
    var holder = make("div", "th-location-map__map th-reports-map__map", element);
    holder.id = "reports-map";
    var tiled = !!element.getAttribute("data-tiles-url");
    var map = baseMap(element, holder, text(element, "map"), "region");
    var figure = document.querySelector(element.getAttribute("data-replaces"));
    Promise.all([
      loadBoundaries(element, map, function (layer) {
        map.fitBounds(layer.getBounds());
      }),
      fetchJson(element.getAttribute("data-reports-url"), { credentials: "same-origin" })
        .then(function (answer) {
          return (answer.ok && answer.body.features) || [];
        })
        .catch(function () {
          return [];
        }),
    ]).then(function (results) {
      var boundaries = results[0];
      var reports = results[1].filter(function (feature) {
        return feature.geometry && feature.geometry.type === "Point";
      });
      if (!boundaries.length && !tiled) {
        map.remove();
        element.hidden = true; // the drawn map stays
        return;
      }
      var dots = L.featureGroup().addTo(map);
      reports.forEach(function (feature) {
        var p = feature.properties;
        var coordinates = feature.geometry.coordinates;
        var dot = L.circleMarker([coordinates[1], coordinates[0]], {
          radius: 8,
          color: "#ffffff",
          weight: 2,
          fillColor: p.open ? "#1d70b8" : "#00703c",
          fillOpacity: 1,
        });
        var link = make("a", "govuk-link");
        link.href = element.getAttribute("data-report-url").replace("REFERENCE", encodeURIComponent(p.reference));
        link.textContent = p.reference + ": " + p.service;
        var popup = make("div");
        popup.appendChild(link);
        var state = make("p", "govuk-body-s", popup);
        state.textContent = p.status;
        dot.bindPopup(popup);
        dots.addLayer(dot);
      });
      if (!boundaries.length && reports.length) {
        map.fitBounds(dots.getBounds(), { maxZoom: 16 });
      } else if (!boundaries.length) {
        map.setView(GREAT_BRITAIN, 6);
      }
      if (figure) {
        figure.hidden = true;
      }
    });
    element.hidden = false;
    map.invalidateSize();
    followSize(map, holder);
  }

  function start() {
    document.querySelectorAll("[data-location-map]").forEach(function (element) {
      if (!element.hasAttribute("data-map-started")) {
        element.setAttribute("data-map-started", "");
        locationMap(element);
      }
    });
    document.querySelectorAll("[data-reports-map]").forEach(function (element) {
      if (!element.hasAttribute("data-map-started")) {
        element.setAttribute("data-map-started", "");
        reportsMap(element);
      }
    });
  }

  start();
})();
