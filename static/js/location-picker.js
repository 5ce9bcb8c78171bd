// Location picker: a Leaflet map that fills the latitude and longitude inputs.
//
// Markup: <div data-location-picker data-lat-input="id" data-lng-input="id" data-city-input="id"
//   data-radius-input="id" data-points="json-script-id" data-tile-url="..." data-tile-attribution="..."
//   hidden> with a [data-map-canvas] and a [data-map-status] inside.
// Needs map.js. Without JavaScript (or Leaflet) the map stays hidden and the inputs work on their own.
// When tiles cannot load the map is grey, but clicking and dragging still place the pin.
(function () {
  "use strict";

  const maps = window.NearhandMap;
  if (!maps) {
    return;
  }
  const PIN_ZOOM = 11;

  function readPoints(id) {
    const script = id && document.getElementById(id);
    if (!script) {
      return {};
    }
    try {
      return JSON.parse(script.textContent) || {};
    } catch {
      return {};
    }
  }

  function init(root) {
    const byId = (name) => document.getElementById(root.dataset[name] || "");
    const latInput = byId("latInput");
    const lngInput = byId("lngInput");
    const cityInput = byId("cityInput");
    const radiusInput = byId("radiusInput");
    const canvas = root.querySelector("[data-map-canvas]");
    const status = root.querySelector("[data-map-status]");
    if (!latInput || !lngInput || !canvas) {
      return;
    }
    const cityPoints = readPoints(root.dataset.points);
    const map = maps.create(root, { canvas });

    let marker = null;
    let circle = null;

    const say = (text) => {
      if (status) {
        status.textContent = text;
      }
    };

    const radiusMetres = () => {
      const km = radiusInput ? parseFloat(radiusInput.value) : NaN;
      return Number.isFinite(km) && km > 0 ? km * 1000 : null;
    };

    const inputPoint = () => maps.point(latInput.value, lngInput.value);

    const cityPoint = () => {
      const point = cityInput && cityInput.value ? cityPoints[cityInput.value] : null;
      return Array.isArray(point) ? maps.point(point[0], point[1]) : null;
    };

    const cityName = () => {
      if (!cityInput || !cityInput.value) {
        return "";
      }
      const option = cityInput.options[cityInput.selectedIndex];
      return option ? option.text : "";
    };

    function drawRadius() {
      const metres = radiusMetres();
      if (!marker || !metres) {
        if (circle) {
          circle.remove();
          circle = null;
        }
        return;
      }
      if (circle) {
        circle.setLatLng(marker.getLatLng()).setRadius(metres);
      } else {
        circle = maps.area(marker.getLatLng(), metres, { fillOpacity: 0.08 }).addTo(map);
      }
    }

    function fit() {
      if (circle) {
        map.fitBounds(circle.getBounds(), { padding: [16, 16], maxZoom: 14 });
      } else if (marker) {
        map.setView(marker.getLatLng(), PIN_ZOOM);
      }
    }

    // Put the pin at `latlng`; `fill` copies it into the inputs (rounded to about 10 cm).
    function place(latlng, { fill = true, recentre = false } = {}) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng, {
          draggable: true,
          keyboard: true,
          title: "Your base (drag to move)",
          alt: "Your base",
        }).addTo(map);
        marker.on("dragend", () => place(marker.getLatLng()));
      }
      if (fill) {
        latInput.value = latlng.lat.toFixed(6);
        lngInput.value = latlng.lng.toFixed(6);
      }
      drawRadius();
      if (recentre) {
        fit();
      }
      say(
        `Your base is set at ${latlng.lat.toFixed(4)}, ${latlng.lng.toFixed(4)}. ` +
          "Drag the pin or click the map to move it.",
      );
    }

    // Start from the inputs, then the chosen city, then all of Australia.
    const start = inputPoint() || cityPoint();
    if (start) {
      place(start, { fill: !inputPoint(), recentre: true });
    } else {
      say("Choose your city, or click the map where you work from.");
    }

    map.on("click", (event) => place(event.latlng));

    if (cityInput) {
      cityInput.addEventListener("change", () => {
        const point = cityPoint();
        if (point) {
          place(point, { recentre: true });
          say(`Pin moved to ${cityName()}. Drag it to your exact base if you like.`);
        }
      });
    }

    const fromInputs = () => {
      const point = inputPoint();
      if (point) {
        place(point, { fill: false, recentre: true });
      }
    };
    latInput.addEventListener("change", fromInputs);
    lngInput.addEventListener("change", fromInputs);

    if (radiusInput) {
      radiusInput.addEventListener("input", drawRadius);
      radiusInput.addEventListener("change", fit);
    }
  }

  maps.each("[data-location-picker]", init); // only when Leaflet loaded: else the inputs do it
})();
