// Progressive enhancement of the share bar: the links work without this file.
(function () {
  var copy = document.querySelector(".share-copy");
  if (!copy) return;
  copy.addEventListener("click", function (event) {
    var url = copy.getAttribute("data-copy");
    if (!navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(url).then(function () {
      copy.textContent = "Tautan disalin";
    });
  });
  if (navigator.share) {
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "share-native";
    button.textContent = "Bagikan…";
    button.addEventListener("click", function () {
      navigator.share({ title: copy.getAttribute("data-title"), url: copy.getAttribute("data-copy") })
        .catch(function () {});
    });
    item.appendChild(button);
    copy.parentNode.parentNode.appendChild(item);
  }
})();
