// Small glue for htmx: show server errors (4xx/5xx are not swapped) and time-outs instead of failing silently.
document.addEventListener("htmx:responseError", function (e) {
  var box = document.getElementById("flash");
  if (!box) return;
  var div = document.createElement("div");
  div.innerHTML = e.detail.xhr.responseText || "";
  var text = (div.textContent || "").trim() || ("Lỗi " + e.detail.xhr.status);
  box.innerHTML = '<p class="flash error" role="alert"></p>';
  box.firstChild.textContent = text;
});
document.addEventListener("htmx:sendError", function () {
  var box = document.getElementById("flash");
  if (box) box.innerHTML = '<p class="flash error" role="alert">Mất kết nối. Vui lòng thử lại.</p>';
});
// Upload progress on a slow link: a form holding <progress class="upload" hidden> shows how much of the file is sent.
document.addEventListener("htmx:xhr:progress", function (e) {
  var form = e.target && e.target.closest ? e.target.closest("form") : null;
  var bar = form ? form.querySelector("progress.upload") : null;
  if (!bar || !e.detail.lengthComputable || !e.detail.total) return;
  bar.hidden = false;
  bar.value = Math.round(e.detail.loaded * 100 / e.detail.total);
  bar.textContent = bar.value + "%";
});
