"""A pure function that mutates its argument and then always raises: nothing is lost."""

# runtime: ok
import purepax as px
from corpus_defs import Counter


@px.pure
def fail(c: Counter):
    c(1)
    raise RuntimeError("boom")


try:
    fail(Counter())
except RuntimeError:
    pass
