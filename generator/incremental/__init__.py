"""The machinery that skips work: what earlier builds did, kept in the build cache
(`cache`), and the memos each stage asks first. The stages themselves (content, markup,
model, pages, render) know nothing of it.

- `unchanged`: the no-op check: nothing a build reads has changed;
- `prepared`: parsed and rendered articles, by the hash of their file;
- `related`: related articles, while tags and order hold;
- `fingerprints`: a hash of what each page is made from, and which pages hold which
  article;
- `publish`: renders and stages only the pages whose fingerprint changed;
- `quick`: the pages' recipes, so that a body-only edit renders its pages only;
- `lean`: render workers that hold only what their pages show;
- `templates`: compiled templates kept between builds.

This package's __init__ imports nothing: the no-op check must stay light.
"""
