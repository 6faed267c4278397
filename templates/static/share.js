// Progressive enhancement of the share bar: the plain links work without this file.
// Adds copying the address ("Salin tautan") and the system share sheet where it exists.
(function () {
  var copy = document.querySelector(".share-copy");
  if (!copy) return;
  var url = copy.getAttribute("data-copy");
  var title = copy.getAttribute("data-title");
  var label = copy.textContent;
  var status = document.createElement("p");
  status.className = "share-status";
  status.setAttribute("role", "status");
  copy.closest(".share").appendChild(status);

  function copied() {
    copy.textContent = "Tautan disalin";
    status.textContent = "Tautan berita sudah disalin.";
    setTimeout(function () { copy.textContent = label; status.textContent = ""; }, 4000);
  }

  function fallback() {
    // Older browsers (and plain http): copy from a selected, off-screen field.
    var field = document.createElement("textarea");
    field.value = url;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.left = "-9999px";
    document.body.appendChild(field);
    field.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(field);
    return done;
  }

  copy.setAttribute("role", "button");
  copy.addEventListener("click", function (event) {
    event.preventDefault();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(copied, function () {
        if (fallback()) copied(); else window.prompt(label, url);
      });
    } else if (fallback()) {
      copied();
    } else {
      window.prompt(label, url);
    }
  });

  if (navigator.share) {
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "share-native";
    button.textContent = "Bagikan…";
    button.addEventListener("click", function () {
      navigator.share({ title: title, url: url }).catch(function () {});
    });
    item.appendChild(button);
    copy.closest("ul").appendChild(item);
  }
})();
