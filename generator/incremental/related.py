"""The model stage's slow part with a memory: related articles, reused while no
article's order, path, story or tags changed."""

from __future__ import annotations

from collections.abc import Sequence

from generator import model
from generator.content import Article
from generator.incremental.cache import BuildCache


def cached_related(cache: BuildCache) -> model.Relate:
    """model.related_articles, reused while no article's order, path, story or tags
    changed (a typo fix or a new view count does not re-rank 10,000 articles)."""

    def relate(ordered: Sequence[Article]) -> dict[str, tuple[Article, ...]]:
        key = model.related_key(ordered)
        paths = cache.recall("related", key)
        by_path = {article.path: article for article in ordered}
        if isinstance(paths, dict) and paths.keys() == by_path.keys():
            try:
                return {path: tuple(by_path[other] for other in others)
                        for path, others in paths.items()}
            except KeyError:  # a stale entry: recompute
                pass
        related = model.related_articles(ordered)
        cache.memorize("related", key, {path: tuple(a.path for a in others)
                                        for path, others in related.items()})
        return related

    return relate

