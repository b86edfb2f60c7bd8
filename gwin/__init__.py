"""gwin: Generative Well-intentioned Networks (Cosentino & Zhu, NeurIPS 2019) as a study platform."""

__version__ = "0.1.0"
