"""A package of the corpus: mutation facts that cross files (helpers -> models -> programs)."""
