"""The schema of the facts the plugin writes into mypy's cache (`_facts.py`).

Its own module, so that mypy loading the plugin (and comparing each cached file's
configuration data with `VERSION`) does not import the rules.
"""

KEY = "purepax"  # the key of the facts in a `TypeInfo.metadata`
STORE = "__purepax_facts__"  # the hidden class holding a file's module-level facts
VERSION = 2  # of the stored facts' schema: raise it whenever `Fact` changes
