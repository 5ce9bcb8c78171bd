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
  let otherReadSeq = 0;
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

  function fill(node, payload) {
    node.setAttribute("data-seq", String(payload.seq));
    if (payload.mine) node.setAttribute("data-mine", "");
    node.classList.toggle("chat-message--mine", Boolean(payload.mine));
    const set = (field, value) => {
      node.querySelectorAll('[data-field="' + field + '"]').forEach((el) => {
        el.textContent = value;
      });
    };
    set("sender_name", payload.mine ? "You" : payload.sender_name);
    set("body", payload.body);
    set("created_label", payload.created_label);
    node.querySelectorAll("time[data-field=created_label]").forEach((el) => {
      el.setAttribute("datetime", payload.created_at);
    });
    const body = node.querySelector('[data-field="body"]');
    if (body && !payload.body) body.remove();
    const hidden = node.querySelector("[data-field-hidden]");
    if (hidden && !payload.hidden) hidden.remove();
    const context = node.querySelector("[data-field-context]");
    if (context) {
      if (payload.context) {
        context.textContent = payload.context.label;
        context.setAttribute("href", payload.context.url);
      } else {
        context.remove();
      }
    }
    const gallery = node.querySelector("[data-field-photos]");
    if (gallery) {
      const item = gallery.querySelector("[data-field-photo]");
      (payload.photos || []).forEach((photo, index) => {
        const copy = item.cloneNode(true);
        const link = copy.querySelector("a") || copy;
        link.setAttribute("href", photo.full_url);
        const image = copy.querySelector("img");
        image.setAttribute("src", photo.thumb_url);
        image.setAttribute("alt", "Photo " + (index + 1) + " from " + payload.sender_name);
        gallery.appendChild(copy);
      });
      item.remove();
      if (!(payload.photos || []).length) gallery.remove();
    }
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

  function markSeen() {
    const mine = [...list.querySelectorAll("[data-mine]")];
    const last = mine[mine.length - 1];
    list.querySelectorAll("[data-chat-seen]").forEach((el) => el.remove());
    if (!last || Number(last.getAttribute("data-seq")) > otherReadSeq) return;
    // Seen only when nothing from them came after it (then their reply says it all).
    const lastSeqMine = Number(last.getAttribute("data-seq"));
    if (lastSeqMine !== lastSeq) return;
    const note = document.createElement("p");
    note.className = "chat-seen";
    note.setAttribute("data-chat-seen", "");
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

  const socket = window.NearhandLive.connect(list.getAttribute("data-socket"), {
    open() {
      everOpen = true;
      setStatus("");
      socket.send({ type: "hello", after: lastSeq });
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
      // An unsent message stays in the box; if it was saved, the catch-up shows it.
      settlePending();
      if (code !== 4403) setStatus(everOpen ? "Reconnecting..." : "Connecting...");
    },
  });

  if (form && textarea) {
    form.addEventListener("submit", (event) => {
      const hasPhotos = photos && photos.files && photos.files.length > 0;
      if (hasPhotos || !socket.isOpen() || pendingRef !== null) return; // the plain form
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
