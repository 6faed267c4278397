"""berita: static news sites for regional KPU offices."""

__version__ = "0.1.0"
