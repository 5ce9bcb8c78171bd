// The site's maps, shared: Leaflet set-up for the results map (results-map.js), a listing's
// service area (service-map.js) and the provider's base picker (location-picker.js).
//
// Load it after Leaflet and before the page's own map script, all deferred, so they run in order
// and the Content-Security-Policy (script-src 'self') holds:
//   <script src="{% static 'vendor/leaflet/leaflet.js' %}" defer></script>
//   <script src="{% static 'js/map.js' %}" defer></script>
//   <script src="{% static 'js/service-map.js' %}" defer></script>
// Data comes from the markup only: a map's root element has data-tile-url and
// data-tile-attribution (from settings.MAP_TILE_URL and MAP_TILE_ATTRIBUTION), a [data-map-canvas]
// inside, and the `hidden` attribute.
//
// Every page works without a map: the root stays hidden unless Leaflet has loaded (no JavaScript,
// or Leaflet blocked, leaves the text and inputs to do the job), and nothing needs the tiles. With
// no tile URL there is no tile layer; when tiles cannot load (offline, a blocked tile server) the
// map is a plain grey canvas on which markers, circles, clicks and drags all still work.
(function () {
  "use strict";

  const BRAND = "#0b6e4f";
  const AUSTRALIA = { center: [-25.6, 134.4], zoom: 4 };

  // Is Leaflet here? Without it, a page's map script does nothing and the page stays as it is.
  const available = typeof window.L !== "undefined";

  // A valid point from two values (strings from data-* attributes or inputs), or null.
  function point(lat, lng) {
    const y = typeof lat === "number" ? lat : parseFloat(lat);
    const x = typeof lng === "number" ? lng : parseFloat(lng);
    if (!Number.isFinite(y) || !Number.isFinite(x) || Math.abs(y) > 90 || Math.abs(x) > 180) {
      return null;
    }
    return L.latLng(y, x);
  }

  // Show `root` and make a map in its [data-map-canvas] (or `options.canvas`).
  // Options are Leaflet's map options (scroll-wheel zoom is off: the page scrolls), plus
  // `bounds` or `center`/`zoom` for the first view (all of Australia by default). The view is set
  // before the tiles, because a circle's own bounds need a map that has a view.
  function create(root, { canvas, bounds, center, zoom, ...options } = {}) {
    const element = canvas || root.querySelector("[data-map-canvas]");
    if (!element) {
      return null;
    }
    root.hidden = false;
    const map = L.map(element, { scrollWheelZoom: false, ...options });
    if (bounds) {
      map.fitBounds(bounds, { padding: [12, 12] });
    } else {
      map.setView(center || AUSTRALIA.center, zoom ?? AUSTRALIA.zoom);
    }
    if (root.dataset.tileUrl) {
      L.tileLayer(root.dataset.tileUrl, {
        attribution: root.dataset.tileAttribution || "",
        maxZoom: 19,
      }).addTo(map);
    }
    return map;
  }

  // An area around a point, in metres: the brand colour, lightly filled, not clickable.
  function area(centre, metres, style = {}) {
    return L.circle(centre, {
      radius: metres,
      color: BRAND,
      weight: 2,
      fillColor: BRAND,
      fillOpacity: 0.1,
      interactive: false,
      ...style,
    });
  }

  // A dot with a white ring for one point ("you are here", a listing's base).
  function dot(centre, style = {}) {
    return L.circleMarker(centre, {
      radius: 6,
      color: "#ffffff",
      weight: 2,
      fillColor: BRAND,
      fillOpacity: 1,
      interactive: false,
      ...style,
    });
  }

  // Run `init(root)` for every element matching `selector`, when Leaflet is here.
  function each(selector, init) {
    if (available) {
      document.querySelectorAll(selector).forEach(init);
    }
  }

  window.NearhandMap = { available, AUSTRALIA, BRAND, point, create, area, dot, each };
})();
