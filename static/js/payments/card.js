// The card entry (templates/payments/_card_fields.html): the saved cards as radios and "Use a
// new card" with Stripe's card Element. When the host form (the one around the component, or
// any form marked data-pays-with-card) is submitted:
// - a new card: ask the site for a SetupIntent, confirm it with Stripe.js (the number goes to
//   Stripe, never to us), save the card (it becomes the default), then send the form;
// - a saved card: make it the default (new bookings are paid with the default card), then send.
// Stripe refusing the card shows its message, focused, and sends nothing: nothing is written.
// Without JavaScript (or Stripe.js) the component says that paying needs it.
(() => {
  const root = document.querySelector("[data-card-fields]");
  if (!root || typeof window.Stripe !== "function") return;

  const stripe = window.Stripe(root.dataset.stripeKey);
  const element = stripe.elements().create("card");
  const panel = root.querySelector("[data-new-card-panel]");
  const mountPoint = root.querySelector("[data-card-element]");
  const errorBox = root.querySelector("[data-card-error]");
  const busyBox = root.querySelector("[data-card-busy]");
  const newRadio = root.querySelector("[data-new-card]");
  const FAILED = "Something went wrong and nothing was charged. Try again in a moment.";
  // localstripe's stand-in draws bare inputs named by placeholders; Stripe's own Element is an
  // iframe that labels its fields itself.
  const FIELDS = {
    number: ["Card number", "cc-number", "Card number"],
    exp_month: ["Expiry month (MM)", "cc-exp-month", "MM"],
    exp_year: ["Expiry year (YY)", "cc-exp-year", "YY"],
    cvc: ["Security code", "cc-csc", "CVC"],
    postal_code: ["Postcode", "postal-code", "Postcode"],
  };
  let mounted = false;
  // Stripe's Element says in its change events whether the card is complete.
  let complete = false;
  element.on("change", (event) => {
    if (event) complete = Boolean(event.complete);
  });

  root.querySelector("[data-card-nojs]").hidden = true;
  root.querySelectorAll("[data-js-only]").forEach((item) => {
    // With no saved card a new card is the only choice: no radio for it.
    item.hidden = item.hasAttribute("data-alone");
  });

  const chosen = () => {
    const checked = root.querySelector("input[name=card]:checked");
    return checked ? checked.value : "new";
  };

  const labelInputs = () => {
    mountPoint.querySelectorAll("input[placeholder]").forEach((input) => {
      const name = input.placeholder;
      const [label, autocomplete, hint] = FIELDS[name] || [];
      if (!label) return;
      input.setAttribute("aria-label", label);
      input.setAttribute("autocomplete", autocomplete);
      input.setAttribute("inputmode", "numeric");
      input.placeholder = hint;
      input.classList.add("card-element__input", `card-element__input--${name}`);
    });
  };

  const showChoice = () => {
    const isNew = chosen() === "new";
    panel.hidden = !isNew;
    if (isNew && !mounted) {
      element.mount(mountPoint);
      labelInputs();
      mounted = true;
    }
  };
  root.querySelectorAll("input[name=card]").forEach((radio) => {
    radio.addEventListener("change", showChoice);
  });
  showChoice();

  const showError = (message) => {
    errorBox.textContent = message;
    errorBox.hidden = false;
    errorBox.focus();
  };

  const csrfToken = () => {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  const post = async (url, data) => {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: new URLSearchParams(data || {}),
      });
    } catch (error) {
      throw new Error(FAILED);
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.message || FAILED);
    return answer;
  };

  const cardEntered = () => {
    const inputs = [...mountPoint.querySelectorAll("input")];
    if (inputs.length) return inputs.every((input) => input.value.trim() !== "");
    return complete;
  };

  const saveNewCard = async () => {
    if (!cardEntered()) {
      throw new Error("Enter your card number, expiry date, security code and postcode.");
    }
    const { client_secret: secret } = await post(root.dataset.setupUrl);
    const result = await stripe.confirmCardSetup(secret, { payment_method: { card: element } });
    if (result.error) {
      throw new Error(result.error.message || "Your card was declined: check it or use another.");
    }
    const { card } = await post(root.dataset.saveUrl, { setup_intent: result.setupIntent.id });
    return card;
  };

  const ready = async () => {
    if (chosen() === "new") {
      const card = await saveNewCard();
      // The pay page's form sends the chosen card's id: now the new card's.
      newRadio.value = String(card.id);
      return;
    }
    await post(root.dataset.defaultUrl.replace("/0/", `/${chosen()}/`));
  };

  const hosts = new Set(
    [root.closest("form"), ...document.querySelectorAll("form[data-pays-with-card]")].filter(
      Boolean,
    ),
  );
  hosts.forEach((form) => {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.cardReady === "yes") return;
      event.preventDefault();
      const button = event.submitter;
      errorBox.hidden = true;
      busyBox.hidden = false;
      if (button) button.disabled = true;
      try {
        await ready();
      } catch (error) {
        showError(error.message || FAILED);
        return;
      } finally {
        busyBox.hidden = true;
        if (button) button.disabled = false;
      }
      form.dataset.cardReady = "yes";
      form.requestSubmit(button || undefined);
    });
  });
})();
