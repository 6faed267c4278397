// berita's part of the editor at /admin/: the tag field that offers the site's tags, a
// preview shaped like the article page and dressed in the site's own stylesheet, then
// the start of Decap CMS (the page sets CMS_MANUAL_INIT so all of this comes first).
(function () {
  "use strict";
  var facts = JSON.parse(document.getElementById("berita-editor").textContent);

  // One list of suggestions for every tag input: the tags the site already has, so an
  // operator picks "Pemilu 2024" instead of typing a near twin of it.
  var suggestions = document.createElement("datalist");
  suggestions.id = "berita-tags";
  facts.tags.forEach(function (name) {
    var option = document.createElement("option");
    option.value = name;
    suggestions.appendChild(option);
  });
  document.body.appendChild(suggestions);

  var TagControl = createClass({
    handleChange: function (event) {
      this.props.onChange(event.target.value);
    },
    render: function () {
      return h("input", {
        type: "text",
        id: this.props.forID,
        className: this.props.classNameWrapper,
        value: this.props.value || "",
        list: "berita-tags",
        autoComplete: "off",
        onChange: this.handleChange,
        onFocus: this.props.setActiveStyle,
        onBlur: this.props.setInactiveStyle,
      });
    },
  });
  CMS.registerWidget("tag", TagControl);

  // The time of an article is the office's wall clock, whatever the computer's zone
  // (a laptop left on WIB in a WITA office would write times an hour early).
  function zoneOf(entry) {
    var office = entry && facts.offices[entry.getIn(["data", "office"])];
    return office ? office.timezone : facts.timezone;
  }
  function nowIn(zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
  }
  // What front matter holds: "2024-09-06 10:00" (a string to YAML), or a date alone,
  // which YAML reads as a Date at midnight UTC.
  function asText(value) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return value ? String(value) : "";
  }

  var WhenControl = createClass({
    componentDidMount: function () {
      if (!this.props.value) this.props.onChange(nowIn(zoneOf(this.props.entry)));
    },
    handleChange: function (event) {
      this.props.onChange(event.target.value.replace("T", " "));
    },
    setNow: function () {
      this.props.onChange(nowIn(zoneOf(this.props.entry)));
    },
    render: function () {
      var text = asText(this.props.value);
      var dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
      var office = facts.offices[this.props.entry && this.props.entry.getIn(["data", "office"])];
      return h("div", { className: this.props.classNameWrapper },
        h("input", {
          type: dateOnly ? "date" : "datetime-local",
          id: this.props.forID,
          value: dateOnly ? text : text.replace(" ", "T").slice(0, 16),
          onChange: this.handleChange,
          onFocus: this.props.setActiveStyle,
          onBlur: this.props.setInactiveStyle,
          style: { font: "inherit", border: 0, background: "transparent" },
        }),
        " ",
        h("span", { className: "berita-zone" }, office ? office.zone : facts.zone),
        " ",
        h("button", { type: "button", onClick: this.setNow, className: "berita-now" }, "Sekarang"));
    },
  });
  CMS.registerWidget("waktu", WhenControl);

  // "2024-09-06 10:00" as the article page shows it: "Jumat, 6 September 2024 10.00 WIB".
  // Read as the digits it is (no time zone of the browser's in between).
  function when(text, zone) {
    var found = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/.exec(String(text || ""));
    if (!found) return String(text || "");
    var moment = new Date(Date.UTC(+found[1], +found[2] - 1, +found[3],
                                   +(found[4] || 0), +(found[5] || 0)));
    var day = new Intl.DateTimeFormat("id-ID", {
      weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
    }).format(moment);
    return found[4] ? day + " " + found[4] + "." + found[5] + " " + zone : day;
  }

  var ArticlePreview = createClass({
    render: function () {
      var data = this.props.entry.get("data");
      var office = facts.offices[data.get("office")] || { name: data.get("office") || "", zone: "" };
      var image = data.get("image");
      var caption = data.get("image_caption");
      var tags = data.get("tags");
      tags = (tags && tags.toJS ? tags.toJS() : tags || []).filter(Boolean);
      var source = data.get("source");
      return h("main", { className: "article-layout" },
        h("article", { className: "article" },
          h("header", {},
            h("p", { className: "kicker" }, office.name),
            h("h1", {}, data.get("draft") ? "[Draf] " : "", data.get("title") || ""),
            h("p", { className: "meta" },
              h("time", {}, when(asText(data.get("date")), office.zone || facts.zone)),
              data.get("author") ? " · oleh " + data.get("author") : "")),
          image ? h("figure", { className: "hero" },
            h("img", { src: this.props.getAsset(image).toString(), alt: caption || "" }),
            caption ? h("figcaption", {}, caption) : null) : null,
          h("div", { className: "body" }, this.props.widgetFor("body")),
          source ? h("p", { className: "source" }, "Sumber: " + source) : null,
          tags.length ? h("ul", { className: "tags" },
            tags.map(function (name, index) { return h("li", { key: index }, h("a", {}, name)); })
          ) : null));
    },
  });
  CMS.registerPreviewTemplate("berita", ArticlePreview);
  // The preview is a frame of its own: a relative address would not reach the site.
  CMS.registerPreviewStyle(new URL(facts.stylesheet, document.baseURI).href);

  CMS.init();
})();
