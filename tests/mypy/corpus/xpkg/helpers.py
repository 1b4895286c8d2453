"""Plain helpers: `advance` mutates its argument through a method of another file."""

from corpus_defs import Counter


def advance(counter: Counter, x):
    return counter(x)


def observe(counter: Counter):
    return counter.peek()
