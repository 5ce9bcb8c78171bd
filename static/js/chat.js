// The live conversation page (templates/chat/_live.html): progressive enhancement of the
// plain form. Without JavaScript, or while the socket is down, the page works as rendered:
// messages are read from the page and sent with the form (which also takes photos).
// With it: messages arrive live over /ws/chat/<id>/, text-only messages are sent over the
// socket, "typing..." and "Seen" update, and after a reconnect every message sent meanwhile
// is fetched from the server after the last seq this page has (in order, none twice).
(function () {
  "use strict";

  const list = document.querySelector("[data-chat-messages]");
  const live = document.querySelector("[data-chat-live]");
  if (!list || !live || !window.NearhandLive || !("content" in document.createElement("template"))) {
    return;
  }
  const template = live.querySelector("[data-chat-message-template]");
  const status = live.querySelector("[data-chat-status]");
  const typing = live.querySelector("[data-chat-typing]");
  const form = document.querySelector("[data-chat-form]");
  const textarea = form ? form.querySelector("textarea") : null;
  const photos = form ? form.querySelector("input[type=file]") : null;
  const formError = live.querySelector("[data-chat-error]");
  // The live notes belong between the messages and the form, where the eye is.
  const anchor = form || list;
  [typing, status, formError].forEach((note) => {
    if (note) anchor.parentNode.insertBefore(note, form ? form : list.nextSibling);
  });

  const TYPING_SEND_EVERY_MS = 2000;
  const TYPING_SHOW_MS = 4000;

  const seen = new Set();
  let lastSeq = 0;
  list.querySelectorAll("[data-seq]").forEach((item) => {
    const seq = Number(item.getAttribute("data-seq"));
    seen.add(seq);
    lastSeq = Math.max(lastSeq, seq);
  });
  lastSeq = Math.max(lastSeq, Number(list.getAttribute("data-last-seq")) || 0);
  let otherReadSeq = Number(list.getAttribute("data-other-read-seq")) || 0;
  let everOpen = false;
  let pendingRef = null;
  let refCounter = 0;
  let typingSentAt = 0;
  let typingTimer = null;

  function setStatus(text) {
    if (!status) return;
    status.textContent = text;
    status.hidden = text === "";
  }

  function showError(text) {
    if (!formError) return;
    formError.textContent = text;
    formError.hidden = text === "";
  }

  // Fills the <template>'s copy of chat/_message.html: text with textContent only (a
  // <script> in a message stays text), line breaks as <br> as the page's linebreaksbr does.
  function fill(node, payload) {
    node.id = "message-" + payload.seq;
    node.setAttribute("data-seq", String(payload.seq));
    node.classList.toggle("chat-message--mine", Boolean(payload.mine));
    node.querySelector('[data-field="sender_name"]').textContent = payload.mine
      ? "You"
      : payload.sender_name;
    const body = node.querySelector('[data-field="body"]');
    if (payload.body) {
      payload.body.split("\n").forEach((line, index) => {
        if (index > 0) body.appendChild(document.createElement("br"));
        body.appendChild(document.createTextNode(line));
      });
    } else {
      body.remove();
    }
    const time = node.querySelector('[data-field="created_label"]');
    time.textContent = payload.created_label;
    time.setAttribute("datetime", payload.created_at);
    const context = node.querySelector("[data-field-context]");
    if (payload.context) {
      context.classList.add("chat-chip--" + payload.context.kind);
      const link = context.querySelector("a");
      link.textContent = payload.context.label;
      link.setAttribute("href", payload.context.url);
    } else {
      context.remove();
    }
    const report = node.querySelector("[data-field-report]");
    if (payload.report_url) {
      report.querySelector("a").setAttribute("href", payload.report_url);
    } else {
      report.remove();
    }
    const gallery = node.querySelector("[data-field-photos]");
    const item = gallery.querySelector("[data-field-photo]");
    (payload.photos || []).forEach((photo, index) => {
      const copy = item.cloneNode(true);
      copy.querySelector("a").setAttribute("href", photo.full_url);
      const image = copy.querySelector("img");
      image.setAttribute("src", photo.thumb_url);
      image.setAttribute("alt", "Photo " + (index + 1) + ", opens full size");
      gallery.appendChild(copy);
    });
    item.remove();
    if (!(payload.photos || []).length) gallery.remove();
  }

  function append(payload) {
    if (seen.has(payload.seq)) return;
    seen.add(payload.seq);
    lastSeq = Math.max(lastSeq, payload.seq);
    const node = template.content.firstElementChild.cloneNode(true);
    fill(node, payload);
    // In seq order even if something arrived out of order (it does not, but it costs nothing).
    const later = [...list.querySelectorAll("[data-seq]")].find(
      (item) => Number(item.getAttribute("data-seq")) > payload.seq
    );
    list.insertBefore(node, later || null);
    const empty = document.querySelector("[data-chat-empty]");
    if (empty) empty.hidden = true;
    if (!payload.mine) hideTyping();
    node.scrollIntoView({ block: "nearest" });
  }

  // "Seen" under my last message once the other has read up to it, and only while it is the
  // last message of all (their reply after it says it better), as the page renders it.
  function markSeen() {
    list.querySelectorAll("[data-seen]").forEach((el) => el.remove());
    const items = list.querySelectorAll("[data-seq]");
    const last = items[items.length - 1];
    if (!last || !last.classList.contains("chat-message--mine")) return;
    if (Number(last.getAttribute("data-seq")) > otherReadSeq) return;
    const note = document.createElement("p");
    note.className = "chat-message__seen";
    note.setAttribute("data-seen", "");
    note.textContent = "Seen";
    last.appendChild(note);
  }

  function hideTyping() {
    if (!typing) return;
    typing.hidden = true;
    window.clearTimeout(typingTimer);
  }

  function showTyping() {
    if (!typing) return;
    typing.hidden = false;
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(hideTyping, TYPING_SHOW_MS);
  }

  function readIfVisible() {
    if (document.visibilityState === "visible" && lastSeq > 0) {
      socket.send({ type: "read", seq: lastSeq });
    }
  }

  function settlePending() {
    pendingRef = null;
    if (form) form.removeAttribute("aria-busy");
  }

  const socket = window.NearhandLive.connect(list.getAttribute("data-socket-path"), {
    open() {
      everOpen = true;
      setStatus("");
      socket.send({ type: "hello", after: lastSeq });
      list.setAttribute("data-live", "open");
    },
    message(data) {
      if (data.type === "message") {
        append(data.message);
        markSeen();
        if (!data.message.mine) readIfVisible();
      } else if (data.type === "sent") {
        if (data.ref === pendingRef) {
          settlePending();
          if (textarea) textarea.value = "";
          showError("");
        }
      } else if (data.type === "error") {
        if (data.ref === pendingRef) settlePending();
        showError(data.message);
      } else if (data.type === "typing") {
        showTyping();
      } else if (data.type === "read") {
        otherReadSeq = Math.max(otherReadSeq, Number(data.seq) || 0);
        markSeen();
      }
    },
    down(code) {
      list.setAttribute("data-live", "down");
      // An unsent message stays in the box; if it was saved, the catch-up shows it.
      settlePending();
      if (code !== 4403) setStatus(everOpen ? "Reconnecting..." : "Connecting...");
    },
  });

  if (form && textarea) {
    form.addEventListener("submit", (event) => {
      const hasPhotos = photos && photos.files && photos.files.length > 0;
      // A message about a booking, job or quote (its context chip) goes with the form too.
      const about = form.querySelector("[name=about]");
      const hasAbout = Boolean(about && about.value);
      if (hasPhotos || hasAbout || !socket.isOpen() || pendingRef !== null) return; // the form
      const body = textarea.value;
      if (!body.trim()) return; // the form's own check says what is missing
      event.preventDefault();
      refCounter += 1;
      pendingRef = "m" + refCounter;
      form.setAttribute("aria-busy", "true");
      if (!socket.send({ type: "send", body: body, ref: pendingRef })) {
        settlePending();
        form.submit();
      }
    });
    textarea.addEventListener("input", () => {
      const now = Date.now();
      if (now - typingSentAt < TYPING_SEND_EVERY_MS) return;
      typingSentAt = now;
      socket.send({ type: "typing" });
    });
  }

  document.addEventListener("visibilitychange", readIfVisible);
  // Test hook and manual check: cut the socket as a network drop would.
  list.addEventListener("chat:drop", () => socket.drop());
})();
