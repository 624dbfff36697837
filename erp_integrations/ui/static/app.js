// The admin pages work without JavaScript; this file only makes them nicer: dialogs, the
// shop switcher submitting on change, and the sync monitor refreshing itself while a sync runs.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-open-dialog]")) {
    button.addEventListener("click", () => document.getElementById(button.dataset.openDialog).showModal());
  }
  for (const dialog of document.querySelectorAll("dialog[data-open-on-load]")) dialog.showModal();
  for (const button of document.querySelectorAll("[data-close-dialog]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
  for (const select of document.querySelectorAll("[data-reload-connector]")) {
    select.addEventListener("change", () => {
      window.location = `${select.dataset.reloadConnector}?add=1&connector=${encodeURIComponent(select.value)}`;
    });
  }
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    form.querySelector("select").addEventListener("change", () => form.submit());
  }
  refreshWhileBusy();
});

// Re-read the page's live region every few seconds while it says a sync is running, so the
// monitor shows progress without a manual reload (and stops polling once idle).
function refreshWhileBusy() {
  const live = document.querySelector("[data-live][data-refresh]");
  if (!live) return;
  setTimeout(async () => {
    try {
      const response = await fetch(window.location.href, { headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector("[data-live]");
      if (fresh) live.replaceWith(fresh);
    } finally {
      refreshWhileBusy();
    }
  }, Number(live.dataset.refresh) * 1000);
}
