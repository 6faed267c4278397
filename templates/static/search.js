// The /cari/ page: queries the Pagefind index built with the site (no other host).
(function () {
  var form = document.querySelector("form.search");
  if (!form) return;
  var input = form.querySelector("#q");
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var selects = form.querySelectorAll("select[data-filter]");
  var bundle = form.getAttribute("data-bundle");
  var pagefind = null;
  var counter = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  var base = form.getAttribute("data-base");
  // A big site's index is in several bundles (shards), searched as one.
  var shards = (form.getAttribute("data-shards") || "").split(" ").filter(Boolean);

  function load() {
    if (!pagefind) {
      pagefind = import(bundle + "pagefind.js").then(function (module) {
        return module.options({ baseUrl: base }).then(function () {
          return Promise.all(shards.map(function (shard) {
            return module.mergeIndex(shard, { baseUrl: base });
          }));
        }).then(function () {
          return module;
        });
      });
    }
    return pagefind;
  }

  function fillFilters(module) {
    return module.filters().then(function (filters) {
      selects.forEach(function (select) {
        var values = filters[select.getAttribute("data-filter")] || {};
        Object.keys(values).sort().forEach(function (name) {
          var option = el("option", "", name + " (" + values[name] + ")");
          option.value = name;
          select.appendChild(option);
        });
      });
      form.querySelector(".search-filters").hidden = false;
    });
  }

  function chosenFilters() {
    var filters = {};
    selects.forEach(function (select) {
      if (select.value) filters[select.getAttribute("data-filter")] = select.value;
    });
    return filters;
  }

  function show(query, results, mine) {
    if (mine !== counter) return;
    list.textContent = "";
    results.forEach(function (data) {
      var item = el("li", "search-result");
      var heading = el("h2");
      var link = el("a", "", (data.meta && data.meta.title) || data.url);
      link.href = data.url;
      heading.appendChild(link);
      item.appendChild(heading);
      var office = data.filters && data.filters.office;
      var meta = [office && office[0], data.meta && data.meta.date].filter(Boolean).join(" · ");
      if (meta) item.appendChild(el("p", "meta", meta));
      var excerpt = el("p", "excerpt");
      // Pagefind's excerpt is escaped text with <mark> around hits; keep only the marks.
      excerpt.innerHTML = data.excerpt.replace(/<(?!\/?mark>)[^>]*>/g, "");
      item.appendChild(excerpt);
      list.appendChild(item);
    });
    status.textContent = results.length
      ? results.length + " berita ditemukan untuk “" + query + "”."
      : "Tidak ada berita yang cocok dengan “" + query + "”.";
  }

  function run() {
    var query = input.value.trim();
    var filters = chosenFilters();
    var mine = ++counter;
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    selects.forEach(function (s) { if (s.value) params.set(s.name, s.value); });
    history.replaceState(null, "", params.toString() ? "?" + params : location.pathname);
    if (!query && !Object.keys(filters).length) {
      list.textContent = "";
      status.textContent = "";
      return;
    }
    status.textContent = "Mencari…";
    load()
      .then(function (module) { return module.search(query || null, { filters: filters }); })
      .then(function (search) {
        return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
      })
      .then(function (results) { show(query, results, mine); })
      .catch(function () { status.textContent = "Pencarian tidak dapat dimuat."; });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  selects.forEach(function (select) { select.addEventListener("change", run); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  load().then(fillFilters).then(function () {
    selects.forEach(function (s) { s.value = params.get(s.name) || ""; });
    if (input.value || params.get("kantor") || params.get("tag")) run();
  }).catch(function () { status.textContent = "Pencarian tidak dapat dimuat."; });
})();
