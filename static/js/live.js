// Live parts of every page for signed-in people: the header's notification bell and unread
// messages count, over a websocket. Optional: without it (no JavaScript, Redis or the socket
// down) the counts are the ones the page was rendered with, and a reload updates them.
// Also defines window.NearhandLive.connect, the reconnecting socket chat.js uses too.
(function () {
  "use strict";

  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 30000;

  // A socket that reconnects by itself: exponential backoff with full jitter, so pages that
  // lost the server together do not come back at the same instant. `handlers.open(socket)`,
  // `handlers.message(data)` and `handlers.down()` are called as things happen; returns an
  // object with send(data) -> bool (false when not open) and close().
  function connect(path, handlers) {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const url = scheme + window.location.host + path;
    let socket = null;
    let failures = 0;
    let timer = null;
    let stopped = false;

    function schedule() {
      if (stopped || timer) return;
      const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** failures);
      failures += 1;
      timer = window.setTimeout(() => {
        timer = null;
        open();
      }, Math.random() * ceiling + 250);
    }

    function open() {
      if (stopped) return;
      try {
        socket = new WebSocket(url);
      } catch (error) {
        schedule();
        return;
      }
      socket.addEventListener("open", () => {
        failures = 0;
        if (handlers.open) handlers.open();
      });
      socket.addEventListener("message", (event) => {
        let data;
        try {
          data = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        if (handlers.message) handlers.message(data);
      });
      socket.addEventListener("close", (event) => {
        socket = null;
        if (handlers.down) handlers.down(event.code);
        // 4403: this page may not listen (signed out meanwhile); trying again will not help.
        if (event.code === 4403) {
          stopped = true;
          return;
        }
        schedule();
      });
      // Errors are followed by "close", which schedules the retry; nothing to log.
      socket.addEventListener("error", () => {});
    }

    // Back online: try now rather than at the end of a long backoff.
    window.addEventListener("online", () => {
      if (socket || stopped) return;
      window.clearTimeout(timer);
      timer = null;
      failures = 0;
      open();
    });

    open();
    return {
      send(data) {
        if (!socket || socket.readyState !== WebSocket.OPEN) return false;
        socket.send(JSON.stringify(data));
        return true;
      },
      // Drop the connection (as a network cut would); it reconnects after the backoff.
      drop() {
        if (socket) socket.close();
      },
      isOpen() {
        return Boolean(socket && socket.readyState === WebSocket.OPEN);
      },
    };
  }

  window.NearhandLive = { connect };

  function updateBell(data) {
    const bell = document.querySelector("[data-notification-bell]");
    if (!bell) return;
    let badge = bell.querySelector(".notification-bell__count");
    const unread = Number(data.unread) || 0;
    bell.classList.toggle("notification-bell--unread", unread > 0);
    bell.setAttribute(
      "aria-label",
      unread > 0 ? "Notifications, " + data.label + " unread" : "Notifications"
    );
    if (unread > 0) {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "notification-bell__count";
        badge.setAttribute("aria-hidden", "true");
        bell.appendChild(badge);
      }
      badge.textContent = data.label;
    } else if (badge) {
      badge.remove();
    }
    const status = document.querySelector("[data-live-announce]");
    if (status && data.title) status.textContent = "New notification: " + data.title;
  }

  // The header's Messages link (chat/context_processors.py renders the same: "99+" past 99).
  function updateMessages(data) {
    const total = Number(data.total) || 0;
    const label = total > 99 ? "99+" : String(total);
    document.querySelectorAll("[data-messages-unread]").forEach((element) => {
      element.textContent = label;
      element.hidden = total === 0;
    });
    document.querySelectorAll("[data-messages-link]").forEach((link) => {
      link.setAttribute("aria-label", total > 0 ? "Messages, " + label + " unread" : "Messages");
    });
  }

  const bell = document.querySelector("[data-notification-bell]");
  if (!bell) return;
  connect("/ws/notifications/", {
    open() {
      bell.setAttribute("data-live", "open");
    },
    down() {
      bell.setAttribute("data-live", "down");
    },
    message(data) {
      if (data.type === "notification") updateBell(data);
      else if (data.type === "messages_unread") updateMessages(data);
    },
  });
})();
