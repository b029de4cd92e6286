// The progress page of a deferred export (templates/evaluations/results/export_job.html):
// asks the job's status every 1.5 s until it is done or failed, then shows the download link
// or the error. Without JavaScript the page offers a "Check again" link instead.
(function () {
  "use strict";
  const root = document.getElementById("export-job");
  if (!root) return;
  const INTERVAL = 1500;
  const part = (name) => document.getElementById("export-job-" + name);

  function show(status) {
    root.dataset.status = status.status;
    const pending = status.status === "queued" || status.status === "running";
    part("pending").hidden = !pending;
    part("done").hidden = status.status !== "done";
    part("failed").hidden = status.status !== "failed";
    if (status.status === "running") {
      part("state").textContent = part("state").dataset.running || part("state").textContent;
    }
    if (status.status === "failed") part("error").textContent = status.error;
    if (status.download) part("download").href = status.download;
    return pending;
  }

  function poll() {
    fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((status) => { if (show(status)) setTimeout(poll, INTERVAL); })
      .catch(() => setTimeout(poll, INTERVAL * 2));
  }

  if (root.dataset.status === "queued" || root.dataset.status === "running") {
    setTimeout(poll, INTERVAL);
  }
})();
