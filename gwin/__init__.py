"""gwin: a study platform for Generative Well-intentioned Networks (Cosentino & Zhu, 2019)."""

__version__ = "0.1.0"
