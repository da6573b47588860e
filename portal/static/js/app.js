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
