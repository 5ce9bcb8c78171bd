// The booking form: when another time is picked, the fee timeline shown is that time's.
// Without JavaScript the page shows the timeline of the time already chosen (or the first).
(() => {
  const line = document.querySelector("[data-fee-timeline]");
  if (!line) return;
  const slot = line.querySelector("[data-fee-slot]");
  const sentence = line.querySelector("[data-fee-sentence]");
  document.querySelectorAll("input[name=start][data-fees]").forEach((input) => {
    input.addEventListener("change", () => {
      if (!input.checked) return;
      slot.textContent = input.dataset.slotLabel;
      sentence.textContent = input.dataset.fees;
    });
  });
})();
