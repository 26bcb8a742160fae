// The only script: copy buttons (credentials page, calendar feed) and local dates.
// Progressive enhancement: every page works without it.
document.querySelectorAll("button.copy").forEach(function (button) {
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    field.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});

// Dates: the server writes UTC; show them in the reader's own time zone,
// in the page's language (<html lang>).
var pageLang = document.documentElement.lang || undefined;
document.querySelectorAll("time[datetime]").forEach(function (t) {
  var d = new Date(t.getAttribute("datetime"));
  if (isNaN(d.getTime())) return;
  t.title = t.textContent;
  t.textContent = d.toLocaleString(pageLang, {
    year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
});
